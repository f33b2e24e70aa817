"""The peer of `phoenix-dash sync`: what a team without it scripts, a sequential grafana-client
loop that creates the folder and uploads every built dashboard (overwrite).

    python -m bench.peer_sync BUILD_DASHBOARDS_DIR   (GRAFANA_URL, GRAFANA_TOKEN from env)
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from grafana_client.api import GrafanaApi


def main() -> None:
    host, port = os.environ["GRAFANA_URL"].removeprefix("http://").split(":")
    api = GrafanaApi(auth=os.environ["GRAFANA_TOKEN"], host=host, port=int(port), protocol="http")
    api.folder.create_folder("Bench", uid="bench")  # type: ignore[no-untyped-call]
    for path in sorted(Path(sys.argv[1]).glob("*.json")):
        dashboard = json.loads(path.read_text())
        api.dashboard.update_dashboard(  # type: ignore[no-untyped-call]
            {"dashboard": dashboard, "folderUid": "bench", "overwrite": True}
        )


if __name__ == "__main__":
    main()
