"""Thread pools for concurrent requests that never hold up an interrupted command, a
background thread, pausing the cyclic garbage collector for bulk work, and whether forked
worker processes are worth it here."""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")


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


def in_background(work: Callable[[], T]) -> Callable[[], T]:
    """Start ``work`` on a daemon thread; the function returned waits for its result (or
    raises what it raised). A command that fails meanwhile ends without waiting for it (a
    connection still retrying an unreachable server, say)."""
    outcome: list[T] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            outcome.append(work())
        except BaseException as exc:  # handed to whoever waits for the result
            failure.append(exc)

    thread = threading.Thread(target=run, name="phoenix-dash-background", daemon=True)
    thread.start()

    def result() -> T:
        thread.join()
        if failure:
            raise failure[0]
        return outcome[0]

    return result


@contextmanager
def paused_gc() -> Iterator[None]:
    """Rendering a project, or reading a plan's worth of dashboards, makes millions of small,
    acyclic dicts and lists that all stay alive until the end; the cyclic collector would
    rescan them again and again (a third of a large build's time, 40 % of parsing a listing
    of 200 dashboards) and free nothing. Reference counting still frees what dies."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def can_fork() -> bool:
    """Fork shares what the parent imported (grafanalib, matplotlib) with the workers;
    elsewhere a pool would pay for a fresh interpreter per worker, which rarely wins."""
    return "fork" in multiprocessing.get_all_start_methods() and os.name == "posix"
