"""`preview --local`: the project's dashboards in a real browser (Debian's headless
Chromium) with no Grafana: the page loads with its selectors, picture and lint findings;
after a module is saved, the page shows the change."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from phoenix_dash.config import load_config
from tests.support.pictures import needs_matplotlib
from tests.support.project import copy_repo_project, require

# A real browser: seconds per page load, so outside the inner loop (CI runs them).
pytestmark = pytest.mark.slow

PAGE = "/d/phoenix-agent-health"


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    require(found is not None, "Chromium not installed (Debian: apt-get install chromium)")
    assert found is not None
    return found


def browse(url: str, out: Path | None = None) -> str:
    """The page's DOM after its scripts ran, and its screenshot in ``out``."""
    flags = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
    flags += ["--window-size=1400,1000", "--virtual-time-budget=4000"]
    if out is not None:
        subprocess.run([*flags, f"--screenshot={out}", url], capture_output=True, timeout=90)
        assert out.exists(), "no screenshot"
    dumped = subprocess.run([*flags, "--dump-dom", url], capture_output=True, text=True, timeout=90)
    return dumped.stdout


def state(url: str) -> dict[str, object]:
    with urllib.request.urlopen(f"{url}/state", timeout=10) as answer:
        found: dict[str, object] = json.loads(answer.read())
    return found


def colours(png: Path) -> int:
    from PIL import Image

    image = Image.open(io.BytesIO(png.read_bytes())).convert("RGB")
    return len(image.getcolors(maxcolors=1 << 24) or [])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    needs_matplotlib()
    chromium()
    from phoenix_dash.preview_local import LocalPreview

    config_file = copy_repo_project(tmp_path)
    local = LocalPreview(load_config(config_file), port=0).start()
    try:
        yield local.url, tmp_path
    finally:
        local.stop()


def test_the_page_shows_each_dashboard_and_redraws_it_when_a_module_is_saved(
    served: tuple[str, Path], tmp_path: Path
) -> None:
    url, root = served
    index = browse(f"{url}/")
    assert "Phoenix / Agent Health" in index and f'href="{PAGE}"' in index
    before_png = tmp_path / "before.png"
    before = browse(f"{url}{PAGE}?var-agent=git", before_png)
    assert "<h1>Phoenix / Agent Health</h1>" in before
    assert '<select name="var-agent"' in before
    for value in ("All", "git", "llm_router", "obsidian"):
        assert f">{value}</option>" in before, value
    assert 'id="picture"' in before and "lint: no findings" in before
    assert colours(before_png) > 100  # a drawn dashboard, not an empty page
    version = state(url)["version"]

    module = root / "dashboards" / "agent_health.py"
    text = module.read_text()
    saved = text.replace('"Calls waiting for the agent.",', '"",').replace(
        '"queued")],\n            "short",', '"queued")],\n            "percent",'
    )
    assert saved.count('"percent"') == text.count('"percent"') + 1  # the edit is there
    module.write_text(saved)
    deadline = time.monotonic() + 30
    while state(url)["version"] == version:
        assert time.monotonic() < deadline, "the save was not seen"
        time.sleep(0.2)
    assert state(url)["error"] == ""

    after_png = tmp_path / "after.png"
    after = browse(f"{url}{PAGE}?var-agent=git", after_png)
    assert "<h2>Queue depth</h2>" in after  # its lint finding, beside the picture
    assert "panel/missing-description" in after and 'class="badge warning-badge"' in after
    assert before_png.read_bytes() != after_png.read_bytes()


def test_a_broken_save_is_said_on_the_page_and_the_last_good_build_stays(
    served: tuple[str, Path],
) -> None:
    url, root = served
    version = state(url)["version"]
    (root / "dashboards" / "agent_health.py").write_text("dashboard = (\n")
    deadline = time.monotonic() + 30
    while state(url)["version"] == version:
        assert time.monotonic() < deadline, "the save was not seen"
        time.sleep(0.2)
    page = browse(f"{url}{PAGE}")
    assert 'id="error"' in page and "agent_health.py" in page
    assert 'id="picture"' in page  # the last good build is still drawn


def test_an_open_page_redraws_itself_when_the_build_changes(tmp_path: Path) -> None:
    """The page's own script: it asks for the build's version every second and reloads when
    it moved. Here the module is saved (and built) while the page is open, at its first ask."""
    needs_matplotlib()
    chromium()
    from urllib.parse import urlsplit

    from phoenix_dash.preview_local import LocalPreview

    config_file = copy_repo_project(tmp_path)
    module = tmp_path / "dashboards" / "agent_health.py"

    class SavedWhileOpen(LocalPreview):
        saved = False

        def answer(self, request: Any) -> None:
            if urlsplit(request.path).path == "/state" and not self.saved:
                self.saved = True
                text = module.read_text()
                module.write_text(text.replace('"Calls waiting for the agent.",', '"",'))
                self.rebuild()
            super().answer(request)

    local = SavedWhileOpen(load_config(config_file), port=0)
    local.start()
    try:
        page = browse(f"{local.url}{PAGE}?var-agent=git")
    finally:
        local.stop()
    assert local.saved  # the open page asked
    assert "<h2>Queue depth</h2>" in page and "panel/missing-description" in page
