"""Rules of the test suite's own layout: what one test module needs from another lives in
tests/support/, so that running one module never runs (or collects) another's tests."""

from __future__ import annotations

import ast

from tests.support.project import ROOT


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
