"""Thread pools for concurrent requests that never hold up an interrupted command, the
requests under way (to say what a quiet server keeps us waiting for), a background thread,
pausing the cyclic garbage collector for bulk work, and forked worker processes: whether
they are worth it here, and stopping them at once."""

from __future__ import annotations

import contextlib
import gc
import os
import queue
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

T = TypeVar("T")
A = TypeVar("A")


@contextmanager
def worker_pool(workers: int) -> Iterator[ThreadPoolExecutor]:
    """A ThreadPoolExecutor that, when the body raises (Ctrl-C among others), cancels what
    has not started and does not wait for requests still hanging on a server: the ``with``
    statement of a plain pool would wait for every one of them to time out."""
    from concurrent.futures import ThreadPoolExecutor  # here: a build starts none

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
            if PROCESS_RUNS_ONE_COMMAND:
                # Else the first collection after the pause scans every object made during
                # it (70 ms after a legacy plan of 200 dashboards), and the one at exit again.
                # Frozen, they are never scanned; what dies is still freed by reference
                # counting, and the process ends soon (in-process callers, tests among them,
                # keep the collector's usual work: frozen cyclic garbage would pile up there).
                gc.freeze()
            gc.enable()


# Set by the command line when it is the program (not a caller's, in-process).
PROCESS_RUNS_ONE_COMMAND = False


def can_fork() -> bool:
    """Fork shares what the parent imported (grafanalib, matplotlib) with the workers;
    elsewhere a pool would pay for a fresh interpreter per worker, which rarely wins."""
    import multiprocessing  # here: a small project's build never forks, nor pays for it

    return "fork" in multiprocessing.get_all_start_methods() and os.name == "posix"


def start_forked_pool(workers: int) -> ProcessPoolExecutor:
    """Forked worker processes that leave Ctrl-C to the command: the terminal sends SIGINT
    to the whole process group, and a worker would print its own traceback. The command
    stops them (``stop_pool``)."""
    import multiprocessing  # only here, as the pool: they cost start-up time
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("fork"),
        initializer=signal.signal,
        initargs=(signal.SIGINT, signal.SIG_IGN),
    )


def stop_pool(pool: ProcessPoolExecutor) -> None:
    """End the workers now, whatever they are doing: an interrupted or failed command does
    not wait for them, nor leaves them running (the executor has no public way to do this
    before Python 3.14's ``terminate_workers``)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        process.terminate()
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.join(timeout=5)


@contextmanager
def forked_pool(workers: int) -> Iterator[ProcessPoolExecutor]:
    """``start_forked_pool`` for the body's work: stopped at once when the body raises."""
    pool = start_forked_pool(workers)
    try:
        yield pool
    except BaseException:
        stop_pool(pool)
        raise
    pool.shutdown(wait=True)


class InFlight:
    """The requests under way and when the last answer came, so a command can say what it
    waits for when a server goes quiet (the library never prints; the CLI asks)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._since: dict[int, tuple[str, float]] = {}
        self.last_answer = time.monotonic()

    @contextmanager
    def on(self, what: str) -> Iterator[None]:
        key = threading.get_ident()
        with self._lock:
            self._since[key] = (what, time.monotonic())
        try:
            yield
        finally:
            with self._lock:
                self._since.pop(key, None)
                self.last_answer = time.monotonic()

    def oldest(self) -> tuple[str, float, int] | None:
        """(the longest-waiting request, seconds since the last answer, requests open)."""
        with self._lock:
            if not self._since:
                return None
            what, _ = min(self._since.values(), key=lambda item: item[1])
            return what, time.monotonic() - self.last_answer, len(self._since)


def map_until(
    function: Callable[[A], T], items: Sequence[A], workers: int, seconds: float
) -> list[T | None]:
    """``function`` over ``items`` on ``workers`` daemon threads, for at most ``seconds``:
    the results in order, None for each item not done by then. Calls still hanging on a
    server then are abandoned, not waited for, and cannot keep the process alive."""
    results: list[T | None] = [None] * len(items)
    failures: list[BaseException] = []
    todo: queue.SimpleQueue[int] = queue.SimpleQueue()
    for index in range(len(items)):
        todo.put(index)
    done = threading.Semaphore(0)

    def work() -> None:
        while True:
            try:
                index = todo.get_nowait()
            except queue.Empty:
                return
            try:
                results[index] = function(items[index])
            except BaseException as exc:  # handed to the caller
                failures.append(exc)
            done.release()

    for number in range(min(workers, len(items))):
        threading.Thread(target=work, name=f"phoenix-dash-map-{number}", daemon=True).start()
    deadline = time.monotonic() + seconds
    for _ in items:
        if not done.acquire(timeout=max(deadline - time.monotonic(), 0)):
            break
        if failures:
            raise failures[0]
    while not todo.empty():  # the threads still busy take nothing more
        with contextlib.suppress(queue.Empty):
            todo.get_nowait()
    return results
