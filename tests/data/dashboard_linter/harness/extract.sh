#!/usr/bin/env bash
# Regenerate ../cases.json from a grafana/dashboard-linter checkout: its rule tests run with
# the rules stubbed out and the test helpers recording (dashboard, rule, expected results).
# Needs Go >= 1.19 and no network (testify is stubbed too).
# Usage: extract.sh /path/to/dashboard-linter [commit, when it is not a git checkout]
set -euo pipefail
linter=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lint" "$work/testify/require" "$work/testify/assert"
cp "$linter"/lint/{lint.go,results.go,constants.go,rules.go,variables.go} "$work/lint/"
cp "$linter"/lint/rule_*_test.go "$work/lint/"
cp "$here/stubs.go.txt" "$work/lint/stubs.go"
cp "$here/recorder_test.go.txt" "$work/lint/recorder_test.go"
cp "$here/go.mod.txt" "$work/go.mod"
cp "$here/testify/require/require.go.txt" "$work/testify/require/require.go"
sed 's/package require/package assert/' "$here/testify/require/require.go.txt" \
  >"$work/testify/assert/assert.go"
printf 'module github.com/stretchr/testify\n\ngo 1.19\n' >"$work/testify/go.mod"
# The real helpers live in rule_panel_datasource_test.go; the recorder replaces them.
python3 - "$work/lint/rule_panel_datasource_test.go" <<'PY'
import sys
path = sys.argv[1]
text = open(path).read()
text = text[: text.index("// testRule is a small helper")]
open(path, "w").write(text.replace('\n\t"github.com/stretchr/testify/require"\n', "\n"))
PY
out="$work/cases.jsonl"
(cd "$work" && DLH_OUT="$out" GOFLAGS=-mod=mod go test ./lint >/dev/null)
commit=$(git -C "$linter" rev-parse HEAD 2>/dev/null || echo "${2:?not a git checkout: give the commit as the second argument}")
python3 - "$out" "$commit" "$here/../cases.json" <<'PY'
import collections, json, sys
lines, commit, target = sys.argv[1], sys.argv[2], sys.argv[3]
count = collections.Counter()
cases = []
for line in open(lines):
    case = json.loads(line)
    count[case["rule"]] += 1
    cases.append({"id": f"{case['rule']}#{count[case['rule']]}", "test": case["test"],
                  "rule": case["rule"], "autofix": case.get("autofix", False),
                  "expected": case["expected"], "dashboard": case["dashboard"]})
doc = {"source": "grafana/dashboard-linter lint/rule_*_test.go", "commit": commit,
       "licence": "Apache-2.0 (the test inputs and expected results of grafana/dashboard-linter)",
       "how": "tests/data/dashboard_linter/harness: see its README", "cases": cases}
json.dump(doc, open(target, "w"), indent=1, ensure_ascii=False)
PY
echo "wrote $(python3 -c "import json,sys;print(len(json.load(open(sys.argv[1]))['cases']))" "$here/../cases.json") cases"
