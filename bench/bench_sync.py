"""Benchmark: `phoenix-dash sync` as a user runs it (build + connect + plan + apply, default
settings), against the Grafana emulator with a fixed round-trip latency per request.

- peer: a sequential grafana-client loop uploading the built dashboards (`bench.peer_sync`,
  a subprocess too, given the JSON phoenix-dash built);
- phoenix-dash first sync, a fresh emulator each run, over the resource APIs (/apis) and the
  legacy API;
- phoenix-dash no-op sync of an already synced Grafana over each, with the requests and
  writes one no-op made (writes must be 0).

The emulator (Grafana 13 behaviour, bodies not schema-checked: Grafana's latency is
modelled, jsonschema's CPU is not) runs in its own process.

    .venv/bin/python -m bench.bench_sync [--dashboards 200] [--panels 20] [--latency 0.02]
        [--repeat 5]
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import niquests

from bench.bench_build import BIN, generated_project, size_parser
from bench.measure import HEADER, Figures, machine, measure, row, run_once

TOKEN = "glsa_bench_token"
APIS = ("apis", "legacy")


def serve(latency: float, metadata_lists: bool, ready: Any) -> None:
    from tests.support.emulator import GrafanaEmulator

    emulator = GrafanaEmulator(version=os.environ.get("BENCH_GRAFANA", "13.2.0")).start()
    emulator.add_token(TOKEN)
    emulator.validate_bodies = False
    emulator.latency = latency
    emulator.metadata_lists = metadata_lists
    ready.send(emulator.url)
    while True:
        time.sleep(3600)


class Emulator:
    """Grafana 13's behaviour; ``metadata_lists``: lists answer `as=PartialObjectMetadataList`
    as Grafana does (else whole objects, as a server without that content type would)."""

    def __init__(self, latency: float, metadata_lists: bool = True) -> None:
        parent, child = multiprocessing.Pipe()
        self.process = multiprocessing.get_context("fork").Process(
            target=serve, args=(latency, metadata_lists, child), daemon=True
        )
        self.process.start()
        self.url: str = parent.recv()

    @property
    def env(self) -> dict[str, str]:
        return {"GRAFANA_URL": self.url, "GRAFANA_TOKEN": TOKEN}

    def stats(self) -> dict[str, int]:
        stats: dict[str, int] = niquests.get(f"{self.url}/__emulator/stats", timeout=10).json()
        return stats

    def stop(self) -> None:
        self.process.kill()
        self.process.join()


def fresh_emulators(latency: float) -> tuple[Callable[[], dict[str, str]], Callable[[], None]]:
    """(setup for measure: a new emulator per run, stop the last one)."""
    current: list[Emulator] = []

    def stop() -> None:
        while current:
            current.pop().stop()

    def setup() -> dict[str, str]:
        stop()
        current.append(Emulator(latency))
        return current[-1].env

    return setup, stop


def with_api(root: Path, api: str) -> None:
    """Point the project at ``api`` and build it, as CI leaves build/ for CD to sync."""
    config = root / "phoenix-dash.yaml"
    base = config.read_text().split("grafana:")[0]
    config.write_text(f"{base}grafana: {{api: {api}}}\n")
    run_once([str(BIN / "phoenix-dash"), "build"], root, {})


SYNC = [str(BIN / "phoenix-dash"), "sync"]
FROM_BUILD = [*SYNC, "--from-build"]  # what CD runs: build/ as committed, or stop
REBUILD = [*SYNC, "--rebuild"]  # the project's Python run again, as before build/manifest.json


def first_sync(root: Path, api: str, latency: float, repeat: int, cmd: list[str]) -> Figures:
    with_api(root, api)
    setup, stop = fresh_emulators(latency)
    how = "committed build" if cmd is FROM_BUILD else "--rebuild"
    try:
        return measure(f"phoenix-dash sync, first, {api}, {how}", cmd, root, repeat, setup)
    finally:
        stop()


def noop_sync(
    root: Path, api: str, latency: float, repeat: int, cmd: list[str], metadata_lists: bool = True
) -> Figures:
    with_api(root, api)
    emulator = Emulator(latency, metadata_lists)
    lists = "" if api == "legacy" else ", metadata lists" if metadata_lists else ", whole lists"
    how = "committed build" if cmd is FROM_BUILD else "--rebuild"
    try:
        run_once(cmd, root, emulator.env)  # now in sync
        before = emulator.stats()
        run_once(cmd, root, emulator.env)
        after = emulator.stats()
        name = f"phoenix-dash sync, no-op, {api}{lists}, {how}"
        figures = measure(name, cmd, root, repeat, lambda: emulator.env)
        figures.extra["requests"] = after["requests"] - before["requests"]
        figures.extra["writes"] = after["writes"] - before["writes"]
        return figures
    finally:
        emulator.stop()


def peer(root: Path, latency: float, repeat: int) -> Figures:
    run_once([*SYNC[:1], "build"], root, {})
    setup, stop = fresh_emulators(latency)
    try:
        script = Path(__file__).with_name("peer_sync.py")
        cmd = [sys.executable, str(script), str(root / "build" / "dashboards")]
        return measure("grafana-client loop (sequential)", cmd, root, repeat, setup)
    finally:
        stop()


def run(dashboards: int, panels: int, latency: float, repeat: int) -> list[str]:
    with generated_project(dashboards, panels) as (root, _):
        config = root / "phoenix-dash.yaml"
        config.write_text(
            config.read_text() + "folders: {bench: {title: Bench}}\ndashboards: {folder: bench}\n"
        )
        baseline = peer(root, latency, repeat)
        rows = [row(baseline)]
        for api in APIS:
            for cmd in (FROM_BUILD, REBUILD):
                rows.append(row(first_sync(root, api, latency, repeat, cmd), baseline))
        noops = [
            ("apis", FROM_BUILD, True),
            ("apis", FROM_BUILD, False),
            ("apis", REBUILD, True),
            ("legacy", FROM_BUILD, True),
            ("legacy", REBUILD, True),
        ]
        for api, cmd, metadata_lists in noops:
            noop = noop_sync(root, api, latency, repeat, cmd, metadata_lists)
            note = f"{noop.extra['requests']:.0f} requests, {noop.extra['writes']:.0f} writes"
            rows.append(row(noop, None, note))
        return rows


def main() -> None:
    parser = size_parser(__doc__)
    parser.add_argument("--latency", type=float, default=0.02)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(
        f"sync of {args.dashboards} dashboards x {args.panels} panels, "
        f"{args.latency * 1000:.0f} ms per request, medians of {args.repeat}; {machine()}"
    )
    print(HEADER)
    for line in run(args.dashboards, args.panels, args.latency, args.repeat):
        print(line)


if __name__ == "__main__":
    main()
