"""The pull-request review: `diff --against REF` over every kind build writes, a markdown
comment that renders as meant (parsed with a CommonMark parser, GitHub's table extension),
both sides of every change (whole with --full), and no secret needed to plan."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from markdown_it import MarkdownIt
from markdown_it.token import Token

from phoenix_dash.cli import main
from phoenix_dash.sync.diffing import full_diff, value_change
from phoenix_dash.sync.markdown import escape
from tests.support.pictures import needs_matplotlib, svg_texts
from tests.support.project import copy_repo_project
from tests.support.synced import Synced, writes

GIT = ["git", "-c", "user.email=t@example.com", "-c", "user.name=t"]
LOGQL = ('level="error"', 'level=~"error|fatal"')  # a `|` inside a query
P99 = ('("orange", 0.5), ("red", 1)', '("orange", 0.3), ("red", 1)')


class Review:
    """A copy of this repository's project, committed to git, then edited as a PR would."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.config = copy_repo_project(root)
        assert self.run("build").exit_code == 0
        subprocess.run([*GIT, "init", "-q"], cwd=root, check=True)
        subprocess.run([*GIT, "add", "-A"], cwd=root, check=True)
        subprocess.run([*GIT, "commit", "-qm", "base"], cwd=root, check=True)

    def edit(self, rel: str, old: str, new: str) -> None:
        path = self.root / rel
        text = path.read_text()
        assert old in text, f"{old!r} not in {rel}"
        path.write_text(text.replace(old, new, 1))

    def run(self, *args: str) -> Result:
        return CliRunner().invoke(
            main,
            [*args, "--config", str(self.config)],
            env={"LOKI_PASSWORD": None, "GRAFANA_TOKEN": None},
            catch_exceptions=False,
        )


@pytest.fixture
def review(tmp_path: Path) -> Review:
    return Review(tmp_path)


def markdown_parser() -> MarkdownIt:
    return MarkdownIt("commonmark").enable(["table", "strikethrough"])


def text_of(inline: Token) -> str:
    """The text a reader sees in an inline token (markup dropped, escapes resolved)."""
    parts = []
    for child in inline.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts)


def tables(tokens: list[Token]) -> list[list[list[str]]]:
    """Every table: its rows (header first), each a list of cell texts."""
    found: list[list[list[str]]] = []
    for index, token in enumerate(tokens):
        if token.type == "table_open":
            found.append([])
        elif token.type == "tr_open":
            found[-1].append([])
        elif token.type == "inline" and tokens[index - 1].type in ("th_open", "td_open"):
            found[-1][-1].append(text_of(token))
    return found


def list_items(tokens: list[Token]) -> list[str]:
    return [
        text_of(token)
        for index, token in enumerate(tokens)
        if token.type == "inline" and index >= 2 and tokens[index - 2].type == "list_item_open"
    ]


def test_against_covers_datasources_and_folders_and_names_the_revision(review: Review) -> None:
    review.edit("datasources.yaml", "http://prometheus:9090", "http://prometheus.internal:9090")
    review.edit("phoenix-dash.yaml", "phoenix: {title: Phoenix}", "phoenix: {title: Phoenix Ops}")
    assert review.run("build").exit_code == 0
    result = review.run("diff", "--against", "HEAD")
    assert result.exit_code == 1, result.output
    assert "~ datasource phoenix-prometheus (Phoenix Prometheus) update: changed since HEAD" in (
        result.output
    )
    assert "url: http://prometheus:9090 -> http://prometheus.internal:9090" in result.output
    assert "~ folder phoenix (Phoenix Ops) update: changed since HEAD" in result.output
    assert "title: Phoenix -> Phoenix Ops" in result.output
    assert "0 to create, 2 to update" in result.output
    data = json.loads(review.run("diff", "--against", "HEAD", "--format", "json").output)
    assert data["against"] == "HEAD"
    assert {(c["kind"], c["action"]) for c in data["changes"]} >= {
        ("datasource", "update"),
        ("folder", "update"),
        ("dashboard", "unchanged"),
        ("alert-group", "unchanged"),
    }
    markdown = review.run("diff", "--against", "HEAD", "--format", "markdown").output
    assert markdown.startswith("### phoenix-dash diff since `HEAD`\n")
    assert "with Grafana" not in markdown


def test_no_difference_says_with_what(review: Review) -> None:
    result = review.run("diff", "--against", "HEAD", "--format", "markdown")
    assert result.exit_code == 0
    assert result.output == "**phoenix-dash:** no differences since `HEAD`.\n"


def _pr(review: Review) -> dict[str, Any]:
    """The PR of "done means": one panel's query (a LogQL query with a pipe) and one
    threshold."""
    review.edit("dashboards/overview.py", *LOGQL)
    review.edit("dashboards/overview.py", *P99)
    assert review.run("build").exit_code == 0
    plan: dict[str, Any] = json.loads(
        review.run("diff", "--against", "HEAD", "--format", "json", "--full").output
    )
    return plan


def test_markdown_table_and_sections_render_with_no_text_lost(review: Review) -> None:
    plan = _pr(review)
    changed = [c for c in plan["changes"] if c["action"] != "unchanged"]
    assert [c["key"] for c in changed] == ["phoenix-overview"]
    details = changed[0]["details"]
    assert any(d == "Latency p99: threshold 0.5 -> 0.3" for d in details)
    query = next(d for d in details if "query A changed" in d)
    assert 'level="error"' in query and 'level=~"error|fatal"' in query  # both sides

    result = review.run("diff", "--against", "HEAD", "--format", "markdown")
    assert result.exit_code == 1
    tokens = markdown_parser().parse(result.output)
    [table] = tables(tokens)
    assert table[0] == ["", "resource", "change"]
    assert table[1:] == [
        [
            "~",
            "dashboard phoenix-overview Phoenix / Overview",
            f"update changed since HEAD ({len(details)} differences)",
        ]
    ]
    assert list_items(tokens) == details  # every detail, whole, as written
    html = [t.content for t in tokens if t.type == "html_block"]
    assert any("<summary>~ dashboard phoenix-overview" in block for block in html)
    assert any("</details>" in block for block in html)


def test_full_shows_both_whole_sides_in_code_blocks(review: Review) -> None:
    plan = _pr(review)
    [change] = [c for c in plan["changes"] if c["action"] != "unchanged"]
    whole_query = next(d["diff"] for d in change["diffs"] if "query A changed" in d["detail"])
    assert 'level="error" | line_format' in whole_query
    assert 'level=~"error|fatal" | line_format' in whole_query

    result = review.run("diff", "--against", "HEAD", "--format", "markdown", "--full")
    tokens = markdown_parser().parse(result.output)
    blocks = [t for t in tokens if t.type == "fence"]
    assert any(b.info == "diff" and b.content.rstrip("\n") == whole_query for b in blocks)
    assert list_items(tokens) == change["details"]

    text = review.run("diff", "--against", "HEAD", "--full").output
    before = next(line for line in whole_query.splitlines() if line.startswith("-{"))
    assert f"        {before}" in text


@pytest.mark.parametrize(
    "text",
    [
        "a | b",
        "**not bold** _nor_ `code` <b>nor html</b> &amp; [no](link) ~~strike~~",
        'sum by (job) (rate(x{job=~"a|b"}[5m])) \\ $var ${var} # ! +',
        "trailing backslash \\",
    ],
)
def test_escaped_text_reads_back_as_written(text: str) -> None:
    tokens = markdown_parser().parse(f"| h |\n|---|\n| {escape(text)} |\n\n- {escape(text)}\n")
    assert tables(tokens) == [[["h"], [text]]]
    assert list_items(tokens) == [text]


def test_a_short_line_shows_both_sides_of_a_late_change() -> None:
    """Not the first 70 characters of the new side: the part that changed, of both."""
    old = "Requests per second over the last five minutes, by agent, excluding health checks."
    new = "Requests per second over the last five minutes, by agent, including health checks."
    detail = value_change("description", old, new)
    assert "excluding health" in detail and "including health" in detail
    assert len(detail) < len(old) + len(new)
    assert f"-{old}" in full_diff(detail) and f"+{new}" in full_diff(detail)
    assert full_diff(value_change("unit", "s", "ms")) == ""  # already whole


def test_plans_need_no_secret_but_sync_does(synced: Synced) -> None:
    without = {"LOKI_PASSWORD": None}

    def run(*args: str) -> Result:
        env = {"GRAFANA_TOKEN": synced.grafana.token, "GRAFANA_URL": "", **without}
        return CliRunner().invoke(
            main, [*args, "--config", str(synced.config)], env=env, catch_exceptions=False
        )

    note = "secret basicAuthPassword ($LOKI_PASSWORD) is not set here: not checked; sync needs it"
    for command, differences in ((("diff",), 1), (("sync", "--dry-run"), 0)):
        result = run(*command)
        assert result.exit_code == differences, result.output  # not 2: no error
        assert "+ datasource phoenix-loki" in result.output and note in result.output
    before = writes(synced.grafana)
    refused = run("sync")
    assert refused.exit_code == 2
    assert refused.output.strip().splitlines() == [
        "error: datasource phoenix-loki: basicAuthPassword needs $LOKI_PASSWORD, which is not "
        "set; nothing was changed"
    ]
    assert writes(synced.grafana) == before


def test_render_draws_before_and_after_of_the_changed_dashboard(review: Review) -> None:
    needs_matplotlib()
    plan = _pr(review)
    out = review.root / "review"
    base = "https://example.test/pr-7/{name}?raw=true"
    result = review.run(
        "diff",
        "--against",
        "HEAD",
        "--format",
        "markdown",
        "--render",
        str(out),
        "--image-base-url",
        base,
    )
    assert result.exit_code == 1, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        f"phoenix-overview.{side}.{kind}" for side in ("after", "before") for kind in ("png", "svg")
    ]
    tokens = markdown_parser().parse(result.output)
    images = [
        child.attrs["src"]
        for token in tokens
        if token.type == "inline"
        for child in token.children or []
        if child.type == "image"
    ]
    assert images == [
        "https://example.test/pr-7/phoenix-overview.before.png?raw=true",
        "https://example.test/pr-7/phoenix-overview.after.png?raw=true",
    ]
    [change] = [c for c in plan["changes"] if c["action"] != "unchanged"]
    touched = {d.split(":")[0] for d in change["details"]}  # the panels the details name
    for side in ("before", "after"):
        texts = svg_texts((out / f"phoenix-overview.{side}.svg").read_bytes())
        outlined = [texts[i - 1] for i, text in enumerate(texts) if text == "changed"]
        assert set(outlined) == touched, side  # each outlined panel's title precedes "changed"


def test_render_needs_a_revision(review: Review) -> None:
    result = review.run("diff", "--render", str(review.root / "x"))
    assert result.exit_code == 2 and "--render draws what changed since a revision" in result.output
