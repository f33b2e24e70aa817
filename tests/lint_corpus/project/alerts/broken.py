"""Alert rules with mistakes lint must find (the build accepts them)."""

from grafanalib.core import AlertExpression, AlertGroup, AlertRulev9, Target


def rule(title, uid, expr, labels, annotations):
    return AlertRulev9(
        title=title,
        uid=uid,
        triggers=[
            Target(expr=expr, refId="A", datasource="prometheus", instant=True),
            AlertExpression(refId="B", expression="A", expressionType="reduce",
                            reduceFunction="last", reduceMode="dropNN"),
            AlertExpression(refId="C", expression="$B > 1", expressionType="math"),
        ],
        condition="C",
        evaluateFor="5m",
        labels=labels,
        annotations=annotations,
    )


GOOD_LABELS = {"severity": "warning", "team": "ops", "component": "api"}
GOOD_NOTES = {"summary": "{{ $labels.job }} is slow", "description": "{{ $value | humanize }}",
              "runbook_url": "https://runbooks/x"}

alertgroup = AlertGroup(name="broken", folder="ops", evaluateInterval="10m", rules=[
    rule("Fine", "fine", "sum by (job) (rate(requests_total[5m]))", GOOD_LABELS, GOOD_NOTES),
    rule("Paging severity", "paging", "sum by (job) (rate(requests_total[5m]))",
         {**GOOD_LABELS, "severity": "page"}, GOOD_NOTES),
    rule("No runbook", "no-runbook", "sum by (job) (rate(requests_total[5m]))", GOOD_LABELS,
         {"summary": "s", "description": "d"}),
    rule("Lost instance", "lost-instance", "sum by (job) (rate(requests_total[5m]))",
         GOOD_LABELS, {**GOOD_NOTES, "summary": "{{ $labels.instance }} is slow"}),
    rule("Raw value", "raw-value", "sum by (job) (rate(requests_total[5m]))", GOOD_LABELS,
         {**GOOD_NOTES, "description": "{{ $value }} per second"}),
])
