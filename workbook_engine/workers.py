"""Process pools for generate and harvest.

What every task of a run shares (the master above all, which is large) is sent once to each
worker process when it starts, not with every batch; batches carry only what differs.
"""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

_shared: tuple[Any, ...] = ()


def shared() -> tuple[Any, ...]:
    """What the current run shares, inside a task."""
    return _shared


def _set(*values: Any) -> None:
    global _shared
    _shared = values


GC_THRESHOLD = (20_000, 20, 50)    # collections rarer than the default (700, 10, 10)


def _start_worker(*values: Any) -> None:
    """A worker's set-up: the shared values, then a garbage collector tuned for the work
    (see :func:`few_collections`)."""
    _set(*values)
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLD)


@contextlib.contextmanager
def few_collections() -> Iterator[None]:
    """The garbage collector tuned for reading and writing workbooks, undone after: what exists
    on entry (the master) is frozen out of its scans, and collections are rarer, since the work
    makes many short-lived objects."""
    saved, frozen = gc.get_threshold(), gc.get_freeze_count()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*saved)
        if not frozen:      # what a caller froze itself stays frozen (none can be told apart)
            gc.unfreeze()


def run(function: Callable[[T], R], batches: Sequence[T], values: tuple[Any, ...],
        workers: int) -> Iterable[R]:
    """``function`` over ``batches`` with ``values`` shared, in order; in this process when
    ``workers`` is 1, else in a pool of that many processes."""
    if workers <= 1:
        _set(*values)
        yield from map(function, batches)
        return
    with ProcessPoolExecutor(max_workers=workers, initializer=_start_worker,
                             initargs=values) as pool:
        yield from pool.map(function, batches)


def batches(items: Sequence[T], jobs: int | None, most: int = 25) -> tuple[int, list[list[T]]]:
    """How many processes to use for ``items`` (at most ``jobs``, default every core) and the
    items in batches of at most ``most``, about four to each process."""
    count = max(1, min(jobs or os.cpu_count() or 1, len(items)))
    size = max(1, min(most, len(items) // (count * 4) or 1))
    return count, [list(items[i:i + size]) for i in range(0, len(items), size)]
