"""Bounded pool of simulations: N run at once in worker threads, a short queue waits, the rest are refused.

CPU-bound work (planner, MTZ, runs) never runs on the event loop: it goes to a thread pool of
``workers`` threads (numpy, numba and the cohort models release the GIL for their heavy loops). At most
``workers + queue`` jobs are admitted; one more raises :class:`QueueFull`, which the app answers
with 429 and a ``Retry-After`` header, so that a request is never left hanging.
"""

from __future__ import annotations

import asyncio
import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor


class QueueFull(RuntimeError):
    """Every worker is busy and the wait queue is full."""

    def __init__(self, retry_after: int):
        self.retry_after = int(retry_after)
        super().__init__(f"the server is busy (all simulation slots and the wait queue are taken); "
                         f"retry after {self.retry_after} s")


class JobPool:
    """``workers`` simulations at once, ``queue`` more waiting; admission is immediate or refused.

    Parameters
    ----------
    workers : int, optional
        Simulations run at once (default: the machine's cores).
    queue : int, optional
        Jobs admitted to wait for a worker (default ``2 * workers``).
    retry_after : int
        Seconds the 429 answer asks the client to wait [s].
    """

    def __init__(self, workers: int | None = None, queue: int | None = None, *, retry_after: int = 5):
        self.workers = int(workers or os.cpu_count() or 1)
        if self.workers < 1:
            raise ValueError(f"workers: must be at least 1, got {workers}")
        self.queue = 2 * self.workers if queue is None else int(queue)
        if self.queue < 0:
            raise ValueError(f"queue: must not be negative, got {queue}")
        self.retry_after = retry_after
        self._executor: ThreadPoolExecutor | None = None  # made on the first job (again after a shutdown)
        self._lock = threading.Lock()
        self._admitted = 0

    @property
    def admitted(self) -> int:
        """Jobs running or waiting now."""
        return self._admitted

    def submit(self, fn, *args, **kwargs) -> Future:
        """Admit ``fn(*args, **kwargs)`` or raise :class:`QueueFull` at once."""
        with self._lock:
            if self._admitted >= self.workers + self.queue:
                raise QueueFull(self.retry_after)
            self._admitted += 1
            if self._executor is None:
                self._executor = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="mtzsim-web")
            executor = self._executor
        try:
            future = executor.submit(fn, *args, **kwargs)
        except RuntimeError:
            self._release(None)
            raise
        future.add_done_callback(self._release)
        return future

    async def run(self, fn, *args, **kwargs):
        """Admit and await ``fn(*args, **kwargs)`` without blocking the event loop."""
        return await asyncio.wrap_future(self.submit(fn, *args, **kwargs))

    def _release(self, _future) -> None:
        with self._lock:
            self._admitted -= 1

    def shutdown(self) -> None:
        """Cancel the waiting jobs; running ones finish; a later job starts a new pool."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)


class Memo:
    """Results keyed by the canonical JSON of a request, shared by concurrent identical requests.

    A second request for a key being computed waits for the first one's future instead of
    computing it again; at most ``size`` results are kept (oldest dropped).
    """

    def __init__(self, size: int = 256):
        self.size = int(size)
        self._lock = threading.Lock()
        self._items: dict[str, Future] = {}

    async def get_or_run(self, key: str, pool: JobPool, fn, *args, **kwargs):
        with self._lock:
            future = self._items.get(key)
            if future is None or (future.done() and future.exception() is not None):
                future = pool.submit(fn, *args, **kwargs)
                self._items[key] = future
                while len(self._items) > self.size:
                    self._items.pop(next(iter(self._items)))
        return await asyncio.wrap_future(future)
