"""Starting the local preview stack (preview/docker-compose.yml) and waiting for Grafana."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from .errors import PhoenixDashError
from .grafana.connection import GrafanaConnection
from .grafana.errors import GrafanaError

LOCAL_URL = "http://127.0.0.1:3000"


def docker_available() -> bool:
    docker = shutil.which("docker")
    if docker is None:
        return False
    try:
        return (
            subprocess.run(
                [docker, "info"], capture_output=True, timeout=20, check=False
            ).returncode
            == 0
        )
    except (OSError, subprocess.SubprocessError):
        return False


def start_stack(compose_file: Path, say: Callable[[str], None]) -> str:
    if not compose_file.is_file():
        raise PhoenixDashError(
            f"{compose_file}: compose file not found: point preview at a Grafana with --url "
            "(and GRAFANA_TOKEN), give --compose-file a stack that runs one, or use --local "
            "(no Grafana)"
        )
    if not docker_available():
        raise PhoenixDashError(
            "Docker is not available here: pass a Grafana's address with --url, or use "
            "--local (no Grafana)"
        )
    say(f"starting {compose_file} ...")
    done = subprocess.run(
        ["docker", "compose", "-f", str(compose_file), "up", "-d", "--build"],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise PhoenixDashError(f"docker compose failed: {done.stderr.strip().splitlines()[-1:]}")
    return LOCAL_URL


def wait_healthy(connection: GrafanaConnection, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            health = connection.request("GET", "/health")
            if isinstance(health, dict) and health.get("database") == "ok":
                return
        except GrafanaError as exc:
            if time.monotonic() > deadline:
                raise PhoenixDashError(f"Grafana did not become healthy: {exc}") from None
        if time.monotonic() > deadline:
            raise PhoenixDashError("Grafana did not become healthy in time")
        time.sleep(1)
