"""Dashboard modules in, modern dashboards out, on several cores when there are many.

Each module is run, its dashboards rendered and modernised, module by module; the first
failing module (in file order) is the error reported, as in a serial run. With many modules
the work is split into contiguous chunks for forked worker processes; results are merged in
file order, so the output does not depend on the number of jobs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import orjson

from .build_inputs import Reads, captured
from .errors import Location, PhoenixDashError
from .loader import (
    LoadedDashboard,
    ModuleRunner,
    check_unique_uids,
    discover,
    on_module_thread,
)
from .modern.common import JSON
from .output import json_bytes
from .provenance import strip_stamps
from .workers import can_fork, paused_gc, start_forked_pool, stop_pool

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

    from .modern import ModernizeContext

# Below this many modules a worker pool costs more than it saves: measured on 2 cores, 50
# modules build as fast in one process (0.33 s) and with 10 % less CPU; at 100 the pool
# saves 10 % of the wall time (bench/bench_build.py).
PARALLEL_MIN_MODULES = 64
CHUNKS_PER_JOB = 4  # smaller chunks even out modules of different sizes


@dataclass(frozen=True)
class BuiltDashboard:
    """One rendered dashboard. Lint keeps the JSON tree, stamped with source lines; build
    and sync keep only its canonical bytes (a tenth of the memory: a large project's trees
    would all be alive at once) and read the tree from them when they need it."""

    uid: str
    title: str
    location: Location  # where the Dashboard object was built
    known_panel_ids: frozenset[int] | None  # None: read from the JSON when asked
    tree: JSON | None = None  # stamped with provenance (rendered ``with_sources``)
    encoded: bytes | None = None  # the canonical bytes build/ holds (rendered without)

    @property
    def panel_ids(self) -> frozenset[int]:
        if self.known_panel_ids is not None:
            return self.known_panel_ids
        return panel_ids(self.json)

    def mentions(self, key: str) -> bool:
        """Whether the JSON may have ``key`` anywhere (True unless its bytes show not)."""
        return self.encoded is None or f'"{key}"'.encode() in self.encoded

    @property
    def json(self) -> JSON:
        """The dashboard JSON (a fresh copy each time, when kept as bytes)."""
        if self.tree is not None:
            return self.tree
        assert self.encoded is not None
        found: JSON = orjson.loads(self.encoded)
        return found

    @property
    def clean(self) -> JSON:
        """The JSON without provenance stamps, as written and synced."""
        return self.json if self.tree is None else self._stripped

    @cached_property
    def _stripped(self) -> JSON:
        stripped: JSON = strip_stamps(self.tree)
        return stripped

    @property
    def canonical(self) -> bytes:
        return self.encoded if self.encoded is not None else json_bytes(self.clean)

    @classmethod
    def rendered(cls, loaded: LoadedDashboard, modern: JSON, keep_tree: bool) -> BuiltDashboard:
        ids = panel_ids(modern)
        if keep_tree:
            return cls(loaded.uid, loaded.title, loaded.location, ids, tree=modern)
        return cls(loaded.uid, loaded.title, loaded.location, ids, encoded=json_bytes(modern))


def panel_ids(dashboard: JSON) -> frozenset[int]:
    """The ids of a dashboard's panels, those inside rows too."""
    panels = dashboard.get("panels") or []
    return frozenset(p["id"] for top in panels for p in [top, *top.get("panels", [])])


@dataclass
class _ModuleOutcome:
    index: int
    dashboards: list[BuiltDashboard] = field(default_factory=list)
    error: PhoenixDashError | None = None
    reads: Reads | None = None  # what the chunk read, on its last outcome (build records)


def default_jobs() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def render_dashboards(
    root: Path, directory: Path, ctx: ModernizeContext, jobs: int = 1, with_sources: bool = True
) -> list[BuiltDashboard]:
    """Every dashboard defined under ``directory``, modernised, in file order.

    Without sources (all but lint) no source line is recorded: that bookkeeping is a third
    of the work, and only an error needs it. So a failure is rendered again with sources,
    which names the line of what failed."""
    return start_rendering(root, directory, ctx, jobs, with_sources).result()


def start_rendering(
    root: Path, directory: Path, ctx: ModernizeContext, jobs: int = 1, with_sources: bool = True
) -> Rendering:
    """``render_dashboards``, started: with a worker pool, the workers are forked and at
    work when this returns, so the caller may do something else (threads included: nothing
    forks after this) before ``result``. Without one, the work is done here."""
    paths = list(enumerate(discover(directory)))
    rendering = Rendering(root, paths, ctx, with_sources)
    if jobs > 1 and len(paths) >= PARALLEL_MIN_MODULES and can_fork():
        rendering.start_pool(jobs)
    else:
        rendering.render_here()
    return rendering


@dataclass
class Rendering:
    root: Path
    paths: list[tuple[int, Path]]
    ctx: ModernizeContext
    with_sources: bool
    _outcomes: list[_ModuleOutcome] | None = None
    _pool: ProcessPoolExecutor | None = None
    _futures: list[Future[list[_ModuleOutcome]]] = field(default_factory=list)

    def start_pool(self, jobs: int) -> None:
        count = min(len(self.paths), jobs * CHUNKS_PER_JOB)
        size = -(-len(self.paths) // count)
        chunks = [self.paths[start : start + size] for start in range(0, len(self.paths), size)]
        # A fork start method launches every worker at the first submit (none later).
        self._pool = start_forked_pool(jobs)
        self._futures = [
            self._pool.submit(_render_chunk, self.root, chunk, self.ctx, self.with_sources)
            for chunk in chunks
        ]

    @property
    def in_workers(self) -> bool:
        return self._pool is not None

    def render_here(self) -> None:
        with paused_gc():
            self._outcomes = _render_chunk(self.root, self.paths, self.ctx, self.with_sources)

    def result(self) -> list[BuiltDashboard]:
        try:
            return _collect(self._gather())
        except PhoenixDashError:
            if self.with_sources:
                raise
            # In this process, never a pool: the caller may have started threads by now.
            located = _collect(_render_chunk(self.root, self.paths, self.ctx, True))
            # A module that failed only once (it reads something that changed): its output.
            return [replace(d, tree=None, encoded=d.canonical) for d in located]

    def reads(self) -> Reads:
        """What rendering read in the project (when a build records: build_inputs)."""
        found = Reads()
        for outcome in self._gather():
            if outcome.reads is not None:
                found.update(outcome.reads)
        return found

    def _gather(self) -> list[_ModuleOutcome]:
        if self._outcomes is None:
            try:
                self._outcomes = [o for future in self._futures for o in future.result()]
            except BaseException:  # Ctrl-C, a worker that died: no waiting for the others
                if self._pool is not None:
                    stop_pool(self._pool)
                raise
            if self._pool is not None:
                self._pool.shutdown()
        return self._outcomes


def _collect(outcomes: list[_ModuleOutcome]) -> list[BuiltDashboard]:
    built: list[BuiltDashboard] = []
    for outcome in sorted(outcomes, key=lambda o: o.index):
        if outcome.error is not None:
            raise outcome.error
        built += outcome.dashboards
    check_unique_uids(built)
    return built


def _render_chunk(
    root: Path, paths: list[tuple[int, Path]], ctx: ModernizeContext, with_sources: bool
) -> list[_ModuleOutcome]:
    """Render modules in order, stopping at the first that fails (on a module thread:
    ``on_module_thread``; in a forked worker too, whose exit waits for other threads)."""
    return on_module_thread(lambda: _render_modules(root, paths, ctx, with_sources))


def _render_modules(
    root: Path, paths: list[tuple[int, Path]], ctx: ModernizeContext, with_sources: bool
) -> list[_ModuleOutcome]:
    from .modern import modernize_dashboard

    runner = ModuleRunner(root, track=with_sources)
    outcomes = []
    # Paused before the session: grafanalib is imported in it (and a forked worker starts
    # with the collector enabled).
    with paused_gc(), runner.session():
        for index, path in paths:
            outcome = _ModuleOutcome(index)
            outcomes.append(outcome)
            try:
                for loaded in runner.load(path, index):
                    modern = modernize_dashboard(loaded.raw, ctx, consume=True)
                    outcome.dashboards.append(BuiltDashboard.rendered(loaded, modern, with_sources))
            except PhoenixDashError as exc:
                outcome.error = exc
                break
    if outcomes:
        outcomes[-1].reads = captured()  # a forked worker's reads are its own
    return outcomes
