"""Process helpers: batches done beside this process, in order, a failure costing its result."""

from __future__ import annotations

import os
import sys

from workbook_engine.workers import beside


def square_or_fail(n: int) -> tuple[int, int]:
    if n < 0:
        raise ValueError(n)
    return n * n, os.getpid()


def test_batches_beside_this_process_come_back_in_order() -> None:
    results = beside(square_or_fail, [1, 2, 3, 4])
    assert [r[0] for r in results if r is not None] == [1, 4, 9, 16]
    pids = [r[1] for r in results if r is not None]
    assert pids[0] == os.getpid()       # the first one here, the others in forked processes
    assert (os.getpid() not in pids[1:]) == sys.platform.startswith("linux")


def test_a_batch_whose_process_fails_has_no_result() -> None:
    results = beside(square_or_fail, [5, -1, 6])
    assert results[1] is None
    assert [r[0] for r in results if r is not None] == [25, 36]


def test_one_batch_is_done_here() -> None:
    assert beside(square_or_fail, [7]) == [(49, os.getpid())]
