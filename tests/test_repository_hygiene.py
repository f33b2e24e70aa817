"""Rules of the test suite's own layout: what one test module needs from another lives in
tests/support/, so that running one module never runs (or collects) another's tests."""

from __future__ import annotations

import ast
import re

from tests.support.project import ROOT

# Pages a user reads: none may send them to files they do not have (the team's oracles).
# contributing.md says where the tests look for those, and how to get them.
USER_PAGES = [ROOT / "README.md", *(p for p in (ROOT / "docs").rglob("*.md"))]
NOT_FOR_USERS = ("../shared", "BEHAVIOR.md", "BEHAVIOR-ALERTING.md")


def test_no_test_module_imports_another() -> None:
    offenders = []
    for path in sorted((ROOT / "tests").glob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            offenders += [
                f"{path.name}:{node.lineno}: {name}"  # type: ignore[attr-defined]
                for name in names
                if name.startswith("tests.test_") or name.startswith(".test_")
            ]
    assert offenders == [], "move what they share to tests/support/"


def test_no_page_points_at_files_a_user_does_not_have() -> None:
    found = [
        f"{page.relative_to(ROOT)}: {name}"
        for page in USER_PAGES
        if page.name != "contributing.md"
        for name in NOT_FOR_USERS
        if name in page.read_text()
    ]
    assert found == []


def test_every_link_of_the_readme_leads_somewhere() -> None:
    """The README's relative links, on GitHub and in a checkout (the site's own links are
    checked by `mkdocs build --strict`)."""
    text = (ROOT / "README.md").read_text()
    targets = re.findall(r"\]\(([^)#\s]+)[^)]*\)", text)
    local = [t for t in targets if not re.match(r"[a-z]+:", t)]
    assert local and [t for t in local if not (ROOT / t).exists()] == []
