"""How Grafana's answers are read: which reads answer a list, which every Grafana serves,
and the reasons Grafana gives for a refusal (the resource APIs' Kubernetes Status, the
legacy API's status or messageId)."""

from __future__ import annotations

from typing import Any

# Reads that answer a list; every other read answers an object. An answer of another shape
# comes from something that is not Grafana's API (a proxy, an SSO page, another service).
LIST_READS = (
    "/search",
    "/folders",
    "/datasources",
    "/v1/provisioning/alert-rules",
    "/v1/provisioning/contact-points",
    "/v1/provisioning/mute-timings",
    "/v1/provisioning/templates",
)
# Reads every Grafana serves: a 404 on one means the URL is not a Grafana API root.
ALWAYS_THERE = frozenset(
    {"/health", "/user", "/search", "/folders", "/datasources", "/v1/provisioning/alert-rules"}
)


def refusal_reason(body: Any) -> str:
    """Grafana's machine-readable reason: a Kubernetes Status's ``reason`` on the resource
    APIs ("Conflict", "AlreadyExists", "Invalid"), else the legacy body's ``status``
    ("version-mismatch") or ``messageId`` ("alerting.provenanceMismatch")."""
    if not isinstance(body, dict):
        return ""
    if body.get("kind") == "Status":
        return str(body.get("reason") or "")
    return str(body.get("status") or body.get("messageId") or "")


def about_a_manager(body: Any) -> bool:
    """A 403 of the resource APIs that refuses a write because of who manages the resource
    (pkg/storage/unified/apistore/managed.go), not because of the credential."""
    return (
        isinstance(body, dict)
        and body.get("kind") == "Status"
        and "manager" in str(body.get("message") or "").lower()
    )
