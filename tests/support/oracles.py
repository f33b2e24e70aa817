"""Where the tests find their oracles (Grafana's JSON Schemas and OpenAPI spec, the real-world
dashboards), and the one command that fetches them for a contributor without ../shared.

Looked up, file by file, in: $PHOENIX_DASH_SHARED, ../shared beside the repository (our
machines and CI), then the cache this script fills. Nothing here is part of the product, and no
oracle file is ever copied into the repository.

    python3 tests/support/oracles.py fetch     # needs network access to GitHub
    python3 tests/support/oracles.py where     # what is found, and where
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import sys
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
FETCH = "python3 tests/support/oracles.py fetch"


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(os.environ.get("PHOENIX_DASH_ORACLES", Path(base) / "phoenix-dash" / "oracles"))


def bases() -> list[Path]:
    found = [Path(os.environ["PHOENIX_DASH_SHARED"])] if "PHOENIX_DASH_SHARED" in os.environ else []
    return [*found, ROOT.parent / "shared", cache_dir()]


def locate(relative: str) -> Path:
    """The oracle at ``relative`` (e.g. "grafana/openapi/api-merged.json") in the first place
    that has it; where it should be (../shared) when none has."""
    for base in bases():
        if (base / relative).exists():
            return base / relative
    return ROOT.parent / "shared" / relative


def missing(what: str, relative: str) -> str:
    """The skip message for an oracle that is not there."""
    return f"{what} not found ({relative} in ../shared or {cache_dir()}); get it with: {FETCH}"


# --- what `fetch` gets: pinned upstream files and the sha256 each must have ------------------

SDK = (
    "https://raw.githubusercontent.com/grafana/grafana-foundation-sdk/"
    "f178d5a42a8915fdda9235e97ad93881e3f94fef/"
)
OPENAPI = (
    "https://raw.githubusercontent.com/vapopov/grafana-openapi-client-go/"
    "e714c93fd3c4378f5885352df3e05343717f00ff/api-merged.json"
)
NODE_EXPORTER = (
    "https://raw.githubusercontent.com/rfmoz/grafana-dashboards/"
    "4b1729d13b610d449b1055659b070d28c19a9699/prometheus/node-exporter-full.json"
)
KUBE_PROMETHEUS = (
    "https://raw.githubusercontent.com/prometheus-operator/kube-prometheus/"
    "4d719f1dea8853540b3823ab1fbe6be74a9953b3/manifests/"
    "grafana-dashboardDefinitions.yaml"
)
PINNED = Path(__file__).with_name("oracles_pinned.json")


@dataclass(frozen=True)
class Pinned:
    relative: str  # where it goes, as in ../shared
    url: str
    sha256: str
    member: str = ""  # a dashboard out of a Kubernetes ConfigMap list: its data key


def upstream(relative: str) -> tuple[str, str]:
    """(URL, ConfigMap member) an oracle file comes from (see ../shared's READMEs)."""
    name = relative.rsplit("/", 1)[-1]
    if relative.startswith("grafana/jsonschema/"):
        return SDK + ("LICENSE" if name == "LICENSE" else f"jsonschema/{name}"), ""
    if relative == "grafana/openapi/api-merged.json":
        return OPENAPI, ""
    if name == "node-exporter-full.json":
        return NODE_EXPORTER, ""
    if name.startswith("kube-prometheus-"):
        return KUBE_PROMETHEUS, name.removeprefix("kube-prometheus-")
    raise KeyError(relative)


def pinned() -> list[Pinned]:
    return [Pinned(**item) for item in json.loads(PINNED.read_text())]


def fetch() -> int:
    """Download every pinned oracle into the cache, checking each file's sha256; a file that
    does not match is not kept."""
    target = cache_dir()
    documents: dict[str, bytes] = {}
    failures = 0
    for item in pinned():
        try:
            if item.url not in documents:
                with urllib.request.urlopen(item.url, timeout=60) as response:
                    documents[item.url] = response.read()
            data = documents[item.url]
            if item.member:
                data = _configmap_member(data, item.member)
        except (OSError, ValueError, KeyError) as exc:
            print(f"FAILED {item.relative}: {item.url}: {exc}", file=sys.stderr)
            failures += 1
            continue
        digest = hashlib.sha256(data).hexdigest()
        if digest != item.sha256:
            print(f"FAILED {item.relative}: sha256 {digest}, pinned {item.sha256}", file=sys.stderr)
            failures += 1
            continue
        path = target / item.relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        print(f"ok     {path}")
    print(f"{len(pinned()) - failures} fetched into {target}, {failures} failed")
    return 1 if failures else 0


def _configmap_member(manifest: bytes, member: str) -> bytes:
    """A dashboard out of kube-prometheus's ConfigMap list (each dashboard is one data key),
    as ../shared holds it: re-indented by two."""
    import yaml

    for item in yaml.safe_load(io.BytesIO(manifest))["items"]:
        data = item.get("data") or {}
        if member in data:
            return (json.dumps(json.loads(data[member]), indent=2) + "\n").encode()
    raise KeyError(f"{member} is not in the manifest")


def pin() -> int:
    """Recompute the pinned list from ../shared (maintainers, when ../shared changes)."""
    shared = ROOT.parent / "shared"
    items = []
    for folder in ("grafana/jsonschema", "grafana/openapi", "realworld"):
        for path in sorted((shared / folder).glob("*")):
            relative = path.relative_to(shared).as_posix()
            if path.suffix != ".json" and path.name != "LICENSE":
                continue
            url, member = upstream(relative)
            items.append(
                {
                    "relative": relative,
                    "url": url,
                    "member": member,
                    "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
                }
            )
    PINNED.write_text(json.dumps(items, indent=1) + "\n")
    print(f"{len(items)} oracle files pinned in {PINNED.name}")
    return 0


def where() -> int:
    for item in pinned():
        path = locate(item.relative)
        print(f"{'found ' if path.exists() else 'MISSING'} {item.relative}: {path}")
    return 0


if __name__ == "__main__":
    commands = {"fetch": fetch, "pin": pin, "where": where}
    if len(sys.argv) != 2 or sys.argv[1] not in commands:
        print(__doc__)
        sys.exit(2)
    sys.exit(commands[sys.argv[1]]())
