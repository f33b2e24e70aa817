"""How every benchmark times a command: as a user runs it, in a subprocess, several times.

Each figure is the median of N runs with its spread (fastest..slowest), wall time and CPU
time side by side (CPU: the process and every worker it waited for, from wait4's rusage),
and the peak memory of the whole process tree (proportional set size summed over the
process and its workers), sampled from /proc in one more, untimed run (sampling steals CPU).
"""

from __future__ import annotations

import functools
import os
import platform
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from phoenix_dash.generated_code import CACHE_DIR_VARIABLE


@functools.cache
def code_cache_dir() -> str:
    """phoenix-dash's cache of generated code (generated_code.py) for this benchmark run:
    its own, so that what is measured does not depend on what ran before on the machine."""
    directory = tempfile.TemporaryDirectory(prefix="phoenix-dash-bench-cache-")
    _KEEP.append(directory)  # removed when the benchmark ends
    return directory.name


_KEEP: list[tempfile.TemporaryDirectory[str]] = []
Setup = Callable[[], Mapping[str, str]]  # before each run, untimed: extra environment


@dataclass(frozen=True)
class Figures:
    name: str
    walls: list[float]
    cpus: list[float]
    peak_mib: int
    extra: dict[str, float] = field(default_factory=dict)

    @property
    def wall(self) -> float:
        return statistics.median(self.walls)

    @property
    def cpu(self) -> float:
        return statistics.median(self.cpus)

    def spread(self) -> str:
        return f"{min(self.walls):.2f}-{max(self.walls):.2f}"


def run_once(
    cmd: Sequence[str],
    cwd: Path,
    env: Mapping[str, str],
    sample_memory: bool = False,
    accept: Sequence[int] = (0,),
) -> tuple[float, float, int]:
    """(wall s, CPU s, peak tree RSS MiB or 0) of one run of ``cmd``; a failure stops the
    benchmark with the command's own message."""
    # As on a user's machine, Python keeps compiled bytecode (this machine's environment
    # turns that off, which would charge a recompile of phoenix-dash to every run).
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    environment.setdefault(CACHE_DIR_VARIABLE, code_cache_dir())
    start = time.perf_counter()
    proc = subprocess.Popen(
        list(cmd),
        cwd=cwd,
        env={**environment, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    peak = 0
    while sample_memory and proc.poll() is None:
        peak = max(peak, tree_memory_kib(proc.pid))
        time.sleep(0.005)
    if proc.returncode is None:
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        cpu = usage.ru_utime + usage.ru_stime
    else:  # reaped by poll(): its CPU time went to this process's children total
        cpu = float("nan")
    wall = time.perf_counter() - start
    errors = proc.stderr.read().decode() if proc.stderr else ""
    if proc.returncode not in accept:
        raise SystemExit(f"{' '.join(cmd[:3])} failed ({proc.returncode}): {errors[-2000:]}")
    return wall, cpu, peak // 1024


def measure(
    name: str,
    cmd: Sequence[str],
    cwd: Path,
    repeat: int,
    setup: Setup = dict,
    accept: Sequence[int] = (0,),
) -> Figures:
    """``accept``: the exit codes that are not failures (diff: 1 when there are differences)."""
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu, _ = run_once(cmd, cwd, setup(), accept=accept)
        walls.append(wall)
        cpus.append(cpu)
    _, _, peak = run_once(cmd, cwd, setup(), sample_memory=True, accept=accept)
    return Figures(name, walls, cpus, peak)


def measure_in_turns(
    commands: Sequence[tuple[str, Sequence[str]]], cwd: Path, repeat: int, setup: Setup = dict
) -> list[Figures]:
    """``measure`` for a peer and ours (or more), their runs alternated (peer, ours, peer,
    ...): a machine whose speed drifts during the benchmark (a busy neighbour, the clock)
    slows all alike, where all of one then all of the other would charge the drift to one.
    Each runs once first, untimed, as on a user's machine that ran it before (the page
    cache, Python's bytecode and phoenix-dash's code cache warm)."""
    runs: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name, _ in commands}
    for _, cmd in commands:
        run_once(cmd, cwd, setup())
    for _ in range(repeat):
        for name, cmd in commands:
            wall, cpu, _ = run_once(cmd, cwd, setup())
            runs[name][0].append(wall)
            runs[name][1].append(cpu)
    figures = []
    for name, cmd in commands:
        _, _, peak = run_once(cmd, cwd, setup(), sample_memory=True)
        figures.append(Figures(name, *runs[name], peak))
    return figures


def tree_memory_kib(root_pid: int) -> int:
    """Memory of a process and all its descendants (workers included), from /proc: the sum
    of their proportional set sizes. Summed RSS would count each page a forked worker
    shares with its parent (the interpreter, grafanalib) once per process."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    tree, frontier = {root_pid}, [root_pid]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent and pid not in tree]
        tree.update(children)
        frontier += children
    return sum(_pss_kib(pid) for pid in tree)


def _pss_kib(pid: int) -> int:
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0
    return next((int(ln.split()[1]) for ln in rollup.splitlines() if ln.startswith("Pss:")), 0)


def machine() -> str:
    model = ""
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
        names = [ln.split(":", 1)[1].strip() for ln in lines if ln.startswith("model name")]
        model = names[0] if names else ""
    except OSError:
        pass
    return (
        f"{os.cpu_count()} CPUs{' (' + model + ')' if model else ''}, "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}"
    )


NAME_WIDTH = 62
HEADER = (
    f"{'what':{NAME_WIDTH}s} {'wall (median)':>13s} {'spread':>11s} {'CPU':>7s} "
    f"{'peak PSS':>9s} {'ratio':>7s}"
)


def row(figures: Figures, peer: Figures | None = None, note: str = "") -> str:
    ratio = f"{figures.wall / peer.wall:6.2f}x" if peer is not None else ""
    return (
        f"{figures.name:{NAME_WIDTH}s} {figures.wall:11.2f} s {figures.spread():>11s} "
        f"{figures.cpu:5.2f} s {figures.peak_mib:5d} MiB {ratio:>7s}"
        + (f"  {note}" if note else "")
    )


def repeat_main(doc: str, run: Callable[[int], list[str]]) -> None:
    """The command line of a benchmark whose only option is --repeat: its table."""
    import argparse

    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"medians of {args.repeat} runs; {machine()}")
    print(HEADER)
    for line in run(args.repeat):
        print(line)
