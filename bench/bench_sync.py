"""Benchmark: `phoenix-dash sync` of 200 dashboards x 20 panels against the Grafana emulator
with 20 ms of latency per request, in one run:

- baseline: a plain sequential loop of grafana-client `update_dashboard` calls;
- phoenix-dash first sync (plan + apply, concurrent);
- phoenix-dash no-op sync, with the number of writes it made (must be 0).

Each measurement gets a fresh emulator in its own process.

    .venv/bin/python -m bench.bench_sync [--dashboards 200] [--panels 20] [--latency 0.02]
"""

from __future__ import annotations

import json
import multiprocessing
import time
from typing import Any

import niquests

from bench.bench_build import generated_project, size_parser
from phoenix_dash.build import build_project
from phoenix_dash.config import load_config
from phoenix_dash.grafana.connection import GrafanaConnection
from phoenix_dash.grafana.settings import Credentials, settings_from
from phoenix_dash.render import default_jobs
from phoenix_dash.sync.applier import apply_plan
from phoenix_dash.sync.normalize import normalize_dashboard
from phoenix_dash.sync.planner import PlanOptions, make_plan
from phoenix_dash.sync.target import make_target

TOKEN = "glsa_bench_token"


def serve(latency: float, ready: Any) -> None:
    import os

    from tests.support.emulator import GrafanaEmulator

    emulator = GrafanaEmulator(version=os.environ.get("BENCH_GRAFANA", "13.2.0")).start()
    emulator.add_token(TOKEN)
    emulator.validate_bodies = False  # Grafana's latency is modelled, jsonschema's CPU is not
    emulator.latency = latency
    ready.send(emulator.url)
    while True:
        time.sleep(3600)


class Emulator:
    def __init__(self, latency: float) -> None:
        parent, child = multiprocessing.Pipe()
        self.process = multiprocessing.get_context("fork").Process(
            target=serve, args=(latency, child), daemon=True
        )
        self.process.start()
        self.url: str = parent.recv()

    def stats(self) -> dict[str, int]:
        stats: dict[str, int] = niquests.get(f"{self.url}/__emulator/stats", timeout=10).json()
        return stats

    def stop(self) -> None:
        self.process.kill()


def baseline(url: str, dashboards: list[dict[str, Any]]) -> float:
    from grafana_client.api import GrafanaApi

    host, port = url.removeprefix("http://").split(":")
    api = GrafanaApi(auth=TOKEN, host=host, port=int(port), protocol="http")
    start = time.perf_counter()
    api.folder.create_folder("Bench", uid="bench")  # type: ignore[no-untyped-call]
    for dashboard in dashboards:
        api.dashboard.update_dashboard(  # type: ignore[no-untyped-call]
            {"dashboard": dashboard, "folderUid": "bench", "overwrite": True}
        )
    return time.perf_counter() - start


def main() -> None:
    parser = size_parser(__doc__)
    parser.add_argument("--latency", type=float, default=0.02)
    args = parser.parse_args()
    with generated_project(args.dashboards, args.panels) as (root, _):
        config_path = root / "phoenix-dash.yaml"
        config_path.write_text(
            config_path.read_text()
            + "folders: {bench: {title: Bench}}\ndashboards: {folder: bench}\n"
            + "grafana: {max_concurrency: 32, retries: 2, backoff: 0.05}\n"
        )
        config = load_config(config_path)
        build = build_project(config, default_jobs(), with_sources=False)
        bodies = [normalize_dashboard(d.json) for d in build.dashboards]

        plain = Emulator(args.latency)
        base = baseline(plain.url, bodies)
        plain.stop()

        emulator = Emulator(args.latency)
        settings = settings_from(config.grafana, config.file, {"GRAFANA_URL": emulator.url})
        connection = GrafanaConnection(settings, Credentials("token", "bench", token=TOKEN))
        target = make_target(config, None)

        def sync() -> tuple[float, float, int]:
            """(build seconds, plan + apply seconds, writes)."""
            start = time.perf_counter()
            built = build_project(config, default_jobs(), with_sources=False)  # as sync does
            planned = time.perf_counter()
            plan = make_plan(connection, built, target, PlanOptions())
            outcomes = apply_plan(connection, plan, target)
            assert all(o.ok for o in outcomes), [o.detail for o in outcomes if not o.ok]
            return planned - start, time.perf_counter() - planned, len(outcomes)

        first_build, first, first_writes = sync()
        before = emulator.stats()["writes"]
        noop_build, noop, _ = sync()
        noop_writes = emulator.stats()["writes"] - before
        emulator.stop()
        print(
            f"{args.dashboards} dashboards x {args.panels} panels, {args.latency * 1000:.0f} ms "
            "latency per request; sync = plan + apply (the baseline gets built JSON too)"
        )
        print(f"  baseline (sequential grafana-client loop): {base:6.2f} s")
        print(
            f"  phoenix-dash first sync:                   {first:6.2f} s  "
            f"({first_writes} writes)  ratio {first / base:.2f} (target <= 0.15)"
        )
        print(
            f"  phoenix-dash no-op sync:                   {noop:6.2f} s  "
            f"({noop_writes} writes) (target 0 writes, <= 1.5 s)"
        )
        print(
            f"  building the project first, as `phoenix-dash sync` does: "
            f"{first_build:.2f} s and {noop_build:.2f} s"
        )
        print(
            json.dumps(
                {
                    "baseline_s": round(base, 3),
                    "first_sync_s": round(first, 3),
                    "ratio": round(first / base, 3),
                    "noop_s": round(noop, 3),
                    "noop_writes": noop_writes,
                    "build_s": round(noop_build, 3),
                }
            )
        )


if __name__ == "__main__":
    main()
