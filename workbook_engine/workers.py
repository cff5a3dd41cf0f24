"""Process pools for generate and harvest.

What every task of a run shares (the master above all, which is large) is sent once to each
worker process when it starts, not with every batch; batches carry only what differs.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
from collections.abc import Callable, Iterable, Sequence
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


def _start_worker(*values: Any) -> None:
    """A worker's set-up: the shared values, then a garbage collector tuned for the work.

    Parsing and writing workbooks makes many short-lived objects; frozen, the master is no
    longer re-scanned by every collection.
    """
    _set(*values)
    gc.freeze()
    gc.set_threshold(20_000, 20, 50)


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


def beside(function: Callable[[T], R], batches: Sequence[T]) -> list[R | None]:
    """``function`` over ``batches`` at once: the first in this process, each other one in a
    forked process of its own, which inherits its batch instead of being sent it (a pool's
    threads could not send it while this process holds the interpreter). Results in order;
    None for a batch whose process failed. Only where processes fork (Linux); elsewhere all in
    this process."""
    if len(batches) < 2 or not sys.platform.startswith("linux"):
        return list(map(function, batches))
    context = multiprocessing.get_context("fork")
    started = []
    for batch in batches[1:]:
        receive, send = context.Pipe(duplex=False)
        process = context.Process(target=_send_result, args=(function, batch, send),
                                  daemon=True)
        process.start()
        send.close()
        started.append((process, receive))
    results: list[R | None] = [function(batches[0])]
    for process, receive in started:
        try:
            results.append(receive.recv())
        except (EOFError, OSError):       # it died (out of memory, killed): no result
            results.append(None)
        finally:
            receive.close()
            process.join()
    return results


def _send_result(function: Callable[[T], R], batch: T,
                 send: multiprocessing.connection.Connection) -> None:
    """In a forked process: ``function(batch)`` sent back; nothing when it fails."""
    try:
        send.send(function(batch))
    finally:
        send.close()
        os._exit(0)
