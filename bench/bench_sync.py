"""Benchmark: `phoenix-dash sync` of 200 dashboards x 20 panels against the Grafana emulator
with 20 ms of latency per request, in one run:

- baseline: a plain sequential loop of grafana-client `update_dashboard` calls;
- phoenix-dash first sync (plan + apply, concurrent), over the resource APIs (/apis) and over
  the legacy API;
- phoenix-dash no-op sync over each, with the requests and writes it made (must be 0 writes).

Each measurement gets a fresh emulator (Grafana 13 behaviour) in its own process; figures are
medians of --repeat runs, with CPU seconds beside wall time.

    .venv/bin/python -m bench.bench_sync [--dashboards 200] [--panels 20] [--latency 0.02]
        [--repeat 3]
"""

from __future__ import annotations

import json
import multiprocessing
import re
import resource
import statistics
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
APIS = ("apis", "legacy")


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


def median(values: list[float]) -> float:
    return statistics.median(values)


def measure(config_path: Any, api: str, latency: float, repeat: int) -> dict[str, float | int]:
    """Medians over ``repeat`` fresh emulators of phoenix-dash's first sync and no-op sync
    (plan + apply) through ``api``, with wall and CPU seconds and the no-op's writes."""
    text = config_path.read_text()
    config_path.write_text(re.sub(r"api: \w+", f"api: {api}", text))
    config = load_config(config_path)
    target = make_target(config, None)
    firsts, first_cpus, noops, noop_cpus, noop_writes, requests = [], [], [], [], [], []
    for _ in range(repeat):
        emulator = Emulator(latency)
        settings = settings_from(config.grafana, config.file, {"GRAFANA_URL": emulator.url})
        connection = GrafanaConnection(settings, Credentials("token", "bench", token=TOKEN))

        def sync(connection: GrafanaConnection = connection) -> tuple[float, float]:
            built = build_project(config, default_jobs(), with_sources=False)  # as sync does
            start, cpu = time.perf_counter(), time.process_time()
            plan = make_plan(connection, built, target, PlanOptions())
            outcomes = apply_plan(connection, plan, target)
            assert all(o.ok for o in outcomes), [o.detail for o in outcomes if not o.ok]
            assert (plan.api is not None) == (api == "apis")
            return time.perf_counter() - start, time.process_time() - cpu

        wall, cpu = sync()
        firsts.append(wall)
        first_cpus.append(cpu)
        before = emulator.stats()
        wall, cpu = sync()
        after = emulator.stats()
        noops.append(wall)
        noop_cpus.append(cpu)
        noop_writes.append(after["writes"] - before["writes"])
        requests.append(after["requests"] - before["requests"])
        emulator.stop()
    return {
        "first_s": round(median(firsts), 3),
        "first_cpu_s": round(median(first_cpus), 3),
        "noop_s": round(median(noops), 3),
        "noop_cpu_s": round(median(noop_cpus), 3),
        "noop_writes": max(noop_writes),
        "noop_requests": int(median([float(r) for r in requests])),
    }


def main() -> None:
    parser = size_parser(__doc__)
    parser.add_argument("--latency", type=float, default=0.02)
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (medians)")
    args = parser.parse_args()
    with generated_project(args.dashboards, args.panels) as (root, _):
        config_path = root / "phoenix-dash.yaml"
        config_path.write_text(
            config_path.read_text()
            + "folders: {bench: {title: Bench}}\ndashboards: {folder: bench}\n"
            + "grafana: {max_concurrency: 32, retries: 2, backoff: 0.05, api: auto}\n"
        )
        config = load_config(config_path)
        build = build_project(config, default_jobs(), with_sources=False)
        bodies = [normalize_dashboard(d.json) for d in build.dashboards]
        bases = []
        for _ in range(args.repeat):
            plain = Emulator(args.latency)
            bases.append(baseline(plain.url, bodies))
            plain.stop()
        base = median(bases)
        results = {api: measure(config_path, api, args.latency, args.repeat) for api in APIS}
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"{args.dashboards} dashboards x {args.panels} panels, {args.latency * 1000:.0f} ms "
            f"latency per request, medians of {args.repeat} runs; sync = plan + apply (the "
            "baseline gets built JSON too)"
        )
        print(f"  baseline (sequential grafana-client loop): {base:6.2f} s")
        for api, figures in results.items():
            print(
                f"  phoenix-dash first sync over {api:6}:      {figures['first_s']:6.2f} s "
                f"(CPU {figures['first_cpu_s']:.2f} s)  ratio "
                f"{figures['first_s'] / base:.3f} (target <= 0.15)"
            )
            print(
                f"  phoenix-dash no-op sync over {api:6}:      {figures['noop_s']:6.2f} s "
                f"(CPU {figures['noop_cpu_s']:.2f} s, {figures['noop_requests']} requests, "
                f"{figures['noop_writes']} writes; target 0 writes)"
            )
        print(f"  peak RSS of this process (build, plans, both APIs): {peak:.0f} MiB")
        print(
            json.dumps(
                {
                    "baseline_s": round(base, 3),
                    **{
                        f"{api}_{key}": value
                        for api, figures in results.items()
                        for key, value in figures.items()
                    },
                    **{
                        f"{api}_ratio": round(float(figures["first_s"]) / base, 3)
                        for api, figures in results.items()
                    },
                    "peak_rss_mib": round(peak),
                }
            )
        )


if __name__ == "__main__":
    main()
