"""Process helpers: work done beside this process, in order, with its errors raised here."""

from __future__ import annotations

import os
import sys

import pytest

from workbook_engine.workers import Later, beside

PARENT = os.getpid()


def square_or_fail(n: int) -> tuple[int, int]:
    if n < 0:
        raise ValueError(n)
    return n * n, os.getpid()


def dies_unless_here(n: int) -> int:
    if os.getpid() != PARENT:
        os._exit(3)              # killed, out of memory: no result comes back
    return n + 1


def test_batches_beside_this_process_come_back_in_order() -> None:
    results = beside(square_or_fail, [1, 2, 3, 4])
    assert [r[0] for r in results] == [1, 4, 9, 16]
    pids = [r[1] for r in results]
    assert pids[0] == os.getpid()       # the first one here, the others in forked processes
    assert (os.getpid() not in pids[1:]) == sys.platform.startswith("linux")


def test_an_error_in_a_forked_process_is_raised_here() -> None:
    with pytest.raises(ValueError, match="-1"):
        beside(square_or_fail, [5, -1, 6])
    with pytest.raises(ValueError):
        Later(square_or_fail, -2).result()


def test_work_whose_process_died_is_done_here() -> None:
    assert Later(dies_unless_here, 41).result() == 42
    assert beside(dies_unless_here, [1, 2]) == [2, 3]


def test_one_batch_is_done_here() -> None:
    assert beside(square_or_fail, [7]) == [(49, os.getpid())]


def test_few_collections_is_undone_after() -> None:
    import gc

    from workbook_engine.workers import GC_THRESHOLD, few_collections

    before = gc.get_threshold()
    with few_collections():
        assert gc.get_threshold() == GC_THRESHOLD
        assert gc.get_freeze_count() > 0      # what existed is out of the collector's scans
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def test_a_result_is_kept_for_a_second_call() -> None:
    later = Later(square_or_fail, 3)
    first = later.result()
    assert later.result() == first        # not worked out again (here, with another pid)
    failing = Later(square_or_fail, -3)
    for _ in range(2):
        with pytest.raises(ValueError):
            failing.result()


class TwoParts(Exception):
    """An error that pickle cannot rebuild (its __init__ takes two arguments)."""

    def __init__(self, a: str, b: str) -> None:
        super().__init__(f"{a} {b}")


def fails_oddly(_: int) -> None:
    raise TwoParts("no", "way")


def test_an_error_that_cannot_come_back_is_raised_by_doing_the_work_here() -> None:
    with pytest.raises(TwoParts):
        Later(fails_oddly, 1).result()


def test_nothing_is_forked_while_another_thread_runs() -> None:
    import threading

    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert Later(square_or_fail, 4).result() == (16, os.getpid())
    finally:
        stop.set()
        thread.join()


def later_in_a_daemon(n: int) -> tuple[int, int]:
    return Later(square_or_fail, n).result()


def test_a_daemon_worker_does_the_work_itself() -> None:
    """A pool's workers may not have children: there, Later works in the worker."""
    import multiprocessing

    with multiprocessing.get_context("fork").Pool(1) as pool:
        value, pid = pool.apply(later_in_a_daemon, (5,))
    assert value == 25 and pid != os.getpid()


def test_an_error_in_the_first_batch_leaves_no_process_behind() -> None:
    import multiprocessing

    with pytest.raises(ValueError):
        beside(square_or_fail, [-1, 2, 3])
    assert multiprocessing.active_children() == []
