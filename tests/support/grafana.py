"""Where Grafana-facing tests send requests: the emulator, or a real Grafana when
PHOENIX_DASH_TEST_GRAFANA_URL is set."""

from __future__ import annotations

import os
from typing import Any

import pytest

REAL_GRAFANA_URL = os.environ.get("PHOENIX_DASH_TEST_GRAFANA_URL")
ADMIN_TOKEN = "glsa_phoenixDashTestAdmin_0123456789abcdef"
VIEWER_TOKEN = "glsa_phoenixDashTestViewer_0123456789abcdef"


class GrafanaTarget:
    """Where Grafana-facing tests send requests. ``emulator`` is None against a real Grafana."""

    def __init__(
        self, url: str, token: str, viewer_token: str | None, emulator: Any | None
    ) -> None:
        self.url = url
        self.token = token
        self.viewer_token = viewer_token
        self.emulator = emulator

    def require_emulator(self) -> Any:
        if self.emulator is None:
            pytest.skip("needs the emulator's control surface (fault injection, request log)")
        return self.emulator
