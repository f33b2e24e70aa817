"""The cache of the code attrs and dataclasses generate (generated_code.py): what it serves
is what compile makes, the libraries as installed do call through it, and a build is the
same with it, without it, and with a cache that is damaged or cannot be written."""

from __future__ import annotations
import __future__

import marshal
import os
import subprocess
import sys
from pathlib import Path

import pytest

from phoenix_dash import generated_code
from phoenix_dash.generated_code import CachedCompile, CachedExec, CodeCache
from tests.support.project import copy_repo_project

ANNOTATIONS = __future__.annotations.compiler_flag
SOURCE = "def __init__(self, x, y=None):\n    self.x = x\n    self.y = y\n"


def run_build(root: Path, cache: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, generated_code.CACHE_DIR_VARIABLE: cache}
    return subprocess.run(
        [sys.executable, "-m", "phoenix_dash", "build"],
        cwd=root,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


def test_code_served_from_the_file_is_the_code_compile_makes(tmp_path: Path) -> None:
    path = tmp_path / "cache.marshal"
    first = CodeCache(path)
    made = CachedCompile(first, generated_code)(SOURCE, "<attrs generated init A>", "exec")
    first.save()
    again = CodeCache(path)
    served = CachedCompile(again, generated_code)(SOURCE, "<attrs generated init A>", "exec")
    assert again.added == 0
    # as compiled in a module with `from __future__ import annotations` (attrs' is one)
    expected = compile(SOURCE, "<attrs generated init A>", "exec", ANNOTATIONS, True)
    assert served == made == expected
    assert served.co_flags == expected.co_flags


def test_a_different_name_or_source_is_compiled_again(tmp_path: Path) -> None:
    cache = CodeCache(tmp_path / "cache.marshal")
    compiler = CachedCompile(cache, generated_code)
    compiler(SOURCE, "a", "exec")
    compiler(SOURCE, "b", "exec")
    compiler(SOURCE.replace("None", "0"), "a", "exec")
    compiler(SOURCE, "a", "exec")
    assert cache.added == 3


def test_exec_runs_the_cached_code_in_the_given_namespace(tmp_path: Path) -> None:
    cache = CodeCache(tmp_path / "cache.marshal")
    run = CachedExec(cache, generated_code)
    namespace: dict[str, object] = {}
    run("def double(n):\n    return 2 * n\n", {"__builtins__": __builtins__}, namespace)
    assert namespace["double"](21) == 42  # type: ignore[operator]
    assert cache.added == 1


def test_a_damaged_cache_is_read_as_empty_and_replaced(tmp_path: Path) -> None:
    path = tmp_path / "cache.marshal"
    for damage in (b"", b"not marshal at all", marshal.dumps((b"\x00\x00\r\n", {}))):
        path.write_bytes(damage)
        cache = CodeCache(path)
        CachedCompile(cache, generated_code)(SOURCE, "a", "exec")
        assert cache.added == 1
        cache.save()
        assert CodeCache(path).compile(SOURCE, "a", "exec", 0, -1) is not None


def test_a_full_cache_keeps_what_the_run_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "cache.marshal"
    filler = CodeCache(path)
    for number in range(5):
        filler.compile(f"x = {number}\n", "old", "exec", 0, -1)
    filler.save()
    monkeypatch.setattr(generated_code, "MAX_ENTRIES", 3)
    cache = CodeCache(path)
    cache.compile("x = 0\n", "old", "exec", 0, -1)
    cache.compile("y = 1\n", "new", "exec", 0, -1)
    cache.save()
    kept = CodeCache(path)
    kept.compile("x = 0\n", "old", "exec", 0, -1)
    kept.compile("y = 1\n", "new", "exec", 0, -1)
    assert kept.added == 0
    kept.compile("x = 4\n", "old", "exec", 0, -1)
    assert kept.added == 1


def test_the_installed_attrs_and_dataclasses_are_served(tmp_path: Path) -> None:
    """If attrs or dataclasses stopped calling compile / exec by those names, the cache
    would quietly serve nothing: this run of both, under the cache, must fill it."""
    program = """
import dataclasses
from phoenix_dash.generated_code import for_this_run, serving_attrs

with for_this_run(), serving_attrs():
    import attr

    @attr.s
    class Panel:
        title = attr.ib(default="")

    @dataclasses.dataclass(frozen=True)
    class Ref:
        uid: str

    assert Panel("a") == Panel("a") and repr(Panel("b")) == "Panel(title='b')"
    assert Ref("x") == Ref("x") and hash(Ref("x")) == hash(Ref("x"))
"""
    environment = {**os.environ, generated_code.CACHE_DIR_VARIABLE: str(tmp_path)}
    subprocess.run([sys.executable, "-c", program], env=environment, check=True)
    entries = marshal.loads((tmp_path / generated_code.FILE_NAME).read_bytes())[1]
    names = {key[1] for key in entries}
    sources = "\n".join(key[0] for key in entries)
    assert any(name.startswith("<attrs generated") and "Panel" in name for name in names)
    assert "def __create_fn__" in sources and "hash((self.uid,))" in sources  # dataclasses'


def test_a_build_is_the_same_with_the_cache_cold_warm_off_or_unwritable(tmp_path: Path) -> None:
    root = tmp_path / "project"
    root.mkdir()
    copy_repo_project(root)
    cache = tmp_path / "cache"
    outputs = {}
    blocked = tmp_path / "a-file"
    blocked.write_text("a file where the cache directory would be\n")
    for label, setting in (
        ("off", "off"),
        ("cold", str(cache)),
        ("warm", str(cache)),
        ("unwritable", str(blocked / "cache")),
        ("in the project", str(root / "cache")),  # not an input the manifest records
    ):
        result = run_build(root, setting)
        assert result.returncode == 0, result.stderr
        assert "note:" not in result.stderr and "error" not in result.stderr
        outputs[label] = {
            p.relative_to(root / "build").as_posix(): p.read_bytes()
            for p in sorted((root / "build").rglob("*"))
            if p.is_file()
        }
        if label == "cold":
            cached = (cache / generated_code.FILE_NAME).read_bytes()
            grafanalib = {k[1] for k in marshal.loads(cached)[1]}
            assert any("grafanalib.core.Dashboard" in name for name in grafanalib)
        if label == "warm":  # nothing new to compile: the file is not written again
            assert (cache / generated_code.FILE_NAME).read_bytes() == cached
    assert all(files == outputs["off"] for files in outputs.values())
    assert list(cache.iterdir()) == [cache / generated_code.FILE_NAME]  # no temporary left


def test_the_cache_is_never_a_build_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Set inside the project, reading it while a build records its inputs is not one."""
    from phoenix_dash.build_inputs import capture

    monkeypatch.setenv(generated_code.CACHE_DIR_VARIABLE, str(tmp_path / "cache"))
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / generated_code.FILE_NAME).write_bytes(b"")
    (tmp_path / "helper.yaml").write_text("a: 1\n")
    with capture(tmp_path, tmp_path / "build") as reads:
        CodeCache(tmp_path / "cache" / generated_code.FILE_NAME).compile(
            "x = 1\n", "a", "exec", 0, -1
        )
        (tmp_path / "helper.yaml").read_text()
    assert reads.files == {"helper.yaml"}
