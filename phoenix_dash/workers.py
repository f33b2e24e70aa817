"""Thread pools for concurrent requests that never hold up an interrupted command."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager


@contextmanager
def worker_pool(workers: int) -> Iterator[ThreadPoolExecutor]:
    """A ThreadPoolExecutor that, when the body raises (Ctrl-C among others), cancels what
    has not started and does not wait for requests still hanging on a server: the ``with``
    statement of a plain pool would wait for every one of them to time out."""
    pool = ThreadPoolExecutor(max_workers=workers)
    try:
        yield pool
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
