"""Process pools: work shared once per worker, results in order, the collector tuned."""

from __future__ import annotations

import gc
import os

from workbook_engine.workers import GC_THRESHOLD, few_collections, run, shared


def times_shared(n: int) -> tuple[int, int]:
    (factor,) = shared()
    return n * factor, os.getpid()


def test_batches_come_back_in_order_from_a_pool() -> None:
    results = list(run(times_shared, [1, 2, 3, 4, 5], (10,), 2))
    assert [value for value, _ in results] == [10, 20, 30, 40, 50]
    assert os.getpid() not in {pid for _, pid in results}


def test_one_worker_works_here() -> None:
    assert list(run(times_shared, [7], (3,), 1)) == [(21, os.getpid())]


def test_few_collections_is_undone_after() -> None:
    before = gc.get_threshold()
    with few_collections():
        assert gc.get_threshold() == GC_THRESHOLD
        assert gc.get_freeze_count() > 0      # what existed is out of the collector's scans
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
