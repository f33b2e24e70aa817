"""Alert rule groups, through the provisioning API: rules keep no history, so each carries
a hash annotation of its content; a rule that no longer matches it was edited."""

from __future__ import annotations

from ...alerting.grafana import api_group
from ...build import Build
from ...grafana.connection import GrafanaConnection
from ...grafana.errors import GrafanaNotFound
from ..model import Action, Change, Remote, Resource
from ..normalize import (
    HASH_ANNOTATION,
    content_hash,
    normalize_group,
    normalize_rule,
)
from ..target import Target
from .base import Handler, conflict_or


class AlertGroupHandler(Handler):
    kind = "alert-group"

    def desired(self, build: Build, target: Target) -> list[Resource]:
        resources = []
        for group in build.alert_groups:
            body = target.remap(api_group(group))
            body["folderUid"] = target.folder_uid(group.folder_uid)
            for rule in body["rules"]:
                rule["folderUID"] = body["folderUid"]
                rule.setdefault("annotations", {})[HASH_ANNOTATION] = \
                    content_hash(normalize_rule(rule))
            key = f"{body['folderUid']}/{group.name}"
            resources.append(Resource(self.kind, key, group.name, body["folderUid"], body,
                                      content_hash(normalize_group(body))))
        return resources

    def plan(self, conn: GrafanaConnection, resource: Resource, target: Target) -> Change:
        folder, name = resource.key.split("/", 1)
        try:
            found = conn.request("GET", f"/v1/provisioning/folder/{folder}/rule-groups/{name}")
        except GrafanaNotFound:
            return Change(resource, Action.CREATE, reason="new rule group")
        remote = Remote(found, None, content_hash(normalize_group(found)))
        provenance = "" if target.rules_editable else "api"
        stale = [r.get("title") for r in found.get("rules") or []
                 if r.get("provenance", "") != provenance]
        if remote.content_hash == resource.content_hash and not stale:
            return Change(resource, Action.UNCHANGED, remote)
        if remote.content_hash == resource.content_hash:
            return Change(resource, Action.UPDATE, remote,
                          "UI-editable" if target.rules_editable else "locked against UI edits")
        from ..diffing import group_changes

        details = group_changes(found, resource.desired or {})
        edited = [rule.get("title") for rule in found.get("rules") or []
                  if (rule.get("annotations") or {}).get(HASH_ANNOTATION)
                  != content_hash(normalize_rule(rule))]
        if edited:
            names = ", ".join(map(str, edited))
            change = conflict_or(Action.UPDATE, resource, remote,
                                  f"rules edited outside phoenix-dash: {names}", target)
        else:
            change = Change(resource, Action.UPDATE, remote, "changed in code")
        change.details = details
        return change

    def managed(self, conn: GrafanaConnection, target: Target) -> list[Resource]:
        rules = conn.request("GET", "/v1/provisioning/alert-rules") or []
        keys = {f"{r['folderUID']}/{r['ruleGroup']}" for r in rules
                if HASH_ANNOTATION in (r.get("annotations") or {})}
        return [Resource(self.kind, key, key.split("/", 1)[1], key.split("/", 1)[0])
                for key in sorted(keys)]

    def apply(self, conn: GrafanaConnection, change: Change, target: Target) -> str:
        folder, name = change.resource.key.split("/", 1)
        path = f"/v1/provisioning/folder/{folder}/rule-groups/{name}"
        headers = {"X-Disable-Provenance": "true"} if target.rules_editable else None
        if change.action == Action.DELETE:
            conn.request("DELETE", path, headers=headers)
            return "deleted"
        conn.request("PUT", path, json=change.resource.desired, headers=headers)
        return "created" if change.action == Action.CREATE else "updated"
