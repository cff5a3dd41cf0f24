"""Process pools for generate and harvest.

What every task of a run shares (the master above all, which is large) is sent once to each
worker process when it starts, not with every batch; batches carry only what differs.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing.connection import Connection
from typing import Any, Generic, TypeVar

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
    """The garbage collector tuned for reading and writing workbooks, undone after: they make
    many short-lived objects, and every collection of the oldest generation re-scanned all that
    lives (the master, the outcomes), which took a tenth of a 1,000-office harvest. What exists
    on entry is frozen out of the scans, and collections are rarer."""
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


def beside(function: Callable[[T], R], batches: Sequence[T]) -> list[R]:
    """``function`` over ``batches`` at once: the first in this process, each other one in a
    forked process of its own (:class:`Later`), which inherits its batch instead of being sent
    it (a pool's threads could not send it while this process holds the interpreter). Results
    in order."""
    later = [Later(function, batch) for batch in batches[1:]]
    try:
        here = [function(batch) for batch in batches[:1]]
    except BaseException:
        for each in later:
            each.discard()
        raise
    return here + [each.result() for each in later]


class Later(Generic[R]):
    """``function(*args)`` worked out in a forked process while this one goes on, which
    inherits what it needs instead of being sent it; :meth:`result` waits for it. With
    ``nice``, the process yields to others (this one's own helpers) when the cores are busy. Where
    processes do not fork (or this one cannot), or the forked one dies, it is worked out here
    when the result is asked for."""

    def __init__(self, function: Callable[..., R], *args: Any, nice: int = 0) -> None:
        self._function, self._args = function, args
        self._outcome: tuple[bool, object] | None = None
        self._process: multiprocessing.process.BaseProcess | None = None
        self._receive: Connection | None = None
        if not _can_fork():
            return
        context = multiprocessing.get_context("fork")
        receive, send = context.Pipe(duplex=False)
        process = context.Process(target=_send_outcome, args=(function, args, send, nice),
                                  daemon=True)
        try:
            process.start()
        except (OSError, AssertionError, ValueError):   # no memory or processes left: done here
            receive.close()
            return
        finally:
            send.close()
        self._process, self._receive = process, receive

    @property
    def process(self) -> multiprocessing.process.BaseProcess | None:
        """The forked process, until its result is in; None when there is none."""
        return self._process

    def result(self) -> R:
        """The result (kept for a second call), or the exception ``function`` raised, raised
        here."""
        if self._outcome is None:
            self._outcome = self._wait()
        done, outcome = self._outcome
        if not done:
            raise outcome       # type: ignore[misc]
        return outcome          # type: ignore[return-value]

    def _wait(self) -> tuple[bool, object]:
        if self._process is None or self._receive is None:
            return True, self._function(*self._args)
        try:
            outcome: tuple[bool, object] = self._receive.recv()
        except Exception:       # it died (killed, out of memory), or its error cannot be
            outcome = True, self._function(*self._args)     # rebuilt here: done here instead
        finally:
            self.discard()
        return outcome

    def discard(self) -> None:
        """Stop the forked process, if it still runs, and let it go."""
        if self._receive is not None:
            self._receive.close()
        if self._process is not None:
            if self._process.is_alive() and self._outcome is None:
                self._process.terminate()
            self._process.join()
        self._process = self._receive = None


def _can_fork() -> bool:
    """Whether a process may be forked here: on Linux, from a process that is not itself a
    daemon worker (which may not have children), and while no other thread runs (a thread
    holding a lock at the fork would leave the forked process waiting for it for ever)."""
    return (sys.platform.startswith("linux") and threading.active_count() == 1
            and not multiprocessing.current_process().daemon)


def _send_outcome(function: Callable[..., R], args: tuple[Any, ...], send: Connection,
                  nice: int) -> None:
    """In a forked process: (True, ``function(*args)``), or (False, the exception it raised);
    ``nice`` lowers its priority first."""
    try:
        if nice:
            os.nice(nice)
        try:
            outcome: tuple[bool, object] = (True, function(*args))
        except BaseException as exc:
            outcome = (False, exc)
        try:
            send.send(outcome)
        except Exception as exc:       # an outcome that cannot be pickled
            send.send((False, RuntimeError(f"{type(exc).__name__}: {exc}")))
    finally:
        send.close()
        os._exit(0)     # no clean-up of this process's copy of the parent's state
