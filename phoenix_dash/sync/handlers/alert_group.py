"""Alert rule groups, through the provisioning API. Rules keep no history, so each carries a
hash annotation of what phoenix-dash wrote (its owned fields and whether it is locked); a rule
whose owned fields no longer match its annotation was edited outside phoenix-dash. Whether a
rule is locked (provenance) comes from the rules list: the group GET does not carry it (R4)."""

from __future__ import annotations

import copy

from ...build import Build
from ...grafana.connection import GrafanaConnection
from ...grafana.errors import GrafanaConflict, GrafanaError, GrafanaNotFound
from ..model import Action, Change, Remote, Resource
from ..normalize import HASH_ANNOTATION, content_hash, rule_hash
from ..target import Target
from .base import JSON, Handler, conflict_or, not_ours

# Provenance as the provisioning API reports it: "api" (locked against UI edits), none
# (editable); anything else ("file", "converted_prometheus") belongs to another writer.
LOCKED, EDITABLE = "api", ""
PROVENANCE_OWNERS = {
    "file": "file provisioning",
    "converted_prometheus": "the Prometheus rule import (converted_prometheus)",
}
REAPPLYING = "phoenix-dash: re-applying provenance"


class AlertGroupHandler(Handler):
    kind = "alert-group"

    def __init__(self) -> None:
        self.provenance: dict[str, str] = {}  # rule uid -> provenance, from one list per plan

    def prefetch(self, conn: GrafanaConnection, resources: list[Resource]) -> None:
        if resources:
            rules = conn.request("GET", "/v1/provisioning/alert-rules") or []
            self.provenance = {r["uid"]: str(r.get("provenance") or "") for r in rules}

    def desired(self, build: Build, target: Target) -> list[Resource]:
        resources = []
        for group in build.grafana_alert_bodies:
            body = target.remap(group)
            body["folderUid"] = target.folder_uid(group["folderUid"])
            for rule in body["rules"]:
                rule["folderUID"] = body["folderUid"]
                rule.setdefault("annotations", {})[HASH_ANNOTATION] = rule_hash(
                    rule, locked=not target.rules_editable
                )
            name = str(body["title"])
            key = f"{body['folderUid']}/{name}"
            resources.append(
                Resource(self.kind, key, name, body["folderUid"], body, _group_hash(body))
            )
        return resources

    def plan(self, conn: GrafanaConnection, resource: Resource, target: Target) -> Change:
        folder, name = resource.key.split("/", 1)
        try:
            found = conn.request("GET", f"/v1/provisioning/folder/{folder}/rule-groups/{name}")
        except GrafanaNotFound:
            return Change(resource, Action.CREATE, reason="new rule group")
        rules = found.get("rules") or []
        remote = Remote(found, None, _group_hash(found))
        owners = {
            PROVENANCE_OWNERS.get(p, p)
            for p in map(self._provenance, rules)
            if p not in (LOCKED, EDITABLE)
        }
        if owners:
            return not_ours(resource, remote, ", ".join(sorted(owners)))
        wanted = EDITABLE if target.rules_editable else LOCKED
        drifted = any(self._provenance(r) != wanted for r in rules)
        edited = _edited(rules)
        if remote.content_hash == resource.content_hash and not edited:
            if not drifted:
                return Change(resource, Action.UNCHANGED, remote)
            return Change(
                resource,
                Action.UPDATE,
                remote,
                "make UI-editable" if target.rules_editable else "lock against UI edits",
            )
        from ..diffing import group_changes

        if edited:
            change = conflict_or(
                Action.UPDATE,
                resource,
                remote,
                f"rules edited outside phoenix-dash: {', '.join(map(str, edited))}",
                target,
            )
        else:
            change = Change(resource, Action.UPDATE, remote, "changed in code")
        change.details = group_changes(found, resource.desired or {})
        return change

    def _provenance(self, rule: JSON) -> str:
        return self.provenance.get(str(rule.get("uid")), str(rule.get("provenance") or ""))

    def managed(self, conn: GrafanaConnection, target: Target) -> list[Resource]:
        rules = conn.request("GET", "/v1/provisioning/alert-rules") or []
        keys = {
            f"{r['folderUID']}/{r['ruleGroup']}"
            for r in rules
            if HASH_ANNOTATION in (r.get("annotations") or {})
        }
        return [
            Resource(self.kind, key, key.split("/", 1)[1], key.split("/", 1)[0])
            for key in sorted(keys)
        ]

    def apply(self, conn: GrafanaConnection, change: Change, target: Target) -> str:
        folder, name = change.resource.key.split("/", 1)
        path = f"/v1/provisioning/folder/{folder}/rule-groups/{name}"
        # Grafana disables provenance when the header is present at all, whatever its value.
        headers = {"X-Disable-Provenance": "true"} if target.rules_editable else None
        if change.action == Action.DELETE:
            conn.request("DELETE", path, headers=headers)
            return "deleted"
        desired = change.resource.desired or {}
        if not target.force:
            self._still_as_planned(conn, path, change)
        if change.remote is not None and change.remote.content_hash == change.resource.content_hash:
            # Only provenance differs, and Grafana writes it only for rules a PUT changes (R5):
            # change every rule once, then write the real group.
            conn.request("PUT", path, json=_marked(desired), headers=headers)
        conn.request("PUT", path, json=desired, headers=headers)
        return "created" if change.action == Action.CREATE else "updated"

    @staticmethod
    def _still_as_planned(conn: GrafanaConnection, path: str, change: Change) -> None:
        """The provisioning API has no version to lock a group write on: read the group again
        right before writing, so an edit made since the plan is a conflict, not overwritten
        (a window of one round trip remains)."""
        try:
            found = conn.request("GET", path)
        except GrafanaNotFound:
            found = None
        planned = change.remote.content_hash if change.remote is not None else None
        now = _group_hash(found) if found is not None else None
        if now != planned or (found is not None and _edited(found.get("rules") or [])):
            raise GrafanaConflict(
                "changed by someone else since the plan",
                409,
                "PUT",
                path,
                "the rule group changed since the plan",
            )

    def refusal(self, error: GrafanaError) -> str | None:
        if error.grafana_status == "alerting.provenanceMismatch":  # R8
            needs = error.grafana_message.rpartition("needs ")[2].strip("'")
            return PROVENANCE_OWNERS.get(needs, f"provenance {needs!r}")
        return None

    def already_applied(self, conn: GrafanaConnection, change: Change) -> bool:
        folder, name = change.resource.key.split("/", 1)
        try:
            found = conn.request("GET", f"/v1/provisioning/folder/{folder}/rule-groups/{name}")
        except GrafanaNotFound:
            return False
        return _group_hash(found) == change.resource.content_hash and not _edited(
            found.get("rules") or []
        )


def _group_hash(group: JSON) -> str:
    """Of each rule's hash annotation and the interval: equal on both sides means nothing
    changed in code since phoenix-dash's last write."""
    annotations = {
        str(r.get("uid")): str((r.get("annotations") or {}).get(HASH_ANNOTATION))
        for r in group.get("rules") or []
    }
    return content_hash({"rules": annotations, "interval": group.get("interval")})


def _edited(rules: list[JSON]) -> list[str]:
    """Titles of rules whose owned fields no longer match their hash annotation (or that
    have none: added by someone else)."""
    return [
        str(rule.get("title"))
        for rule in rules
        if (rule.get("annotations") or {}).get(HASH_ANNOTATION)
        not in (rule_hash(rule, locked=True), rule_hash(rule, locked=False))
    ]


def _marked(group: JSON) -> JSON:
    marked = copy.deepcopy(group)
    for rule in marked["rules"]:
        rule["annotations"][HASH_ANNOTATION] = REAPPLYING
    return marked
