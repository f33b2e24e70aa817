"""One handler per kind of resource: its key, how it is normalised, read, written and deleted.

Dashboards recognise phoenix-dash's own writes by the version message (tool, git revision,
content hash); alert rules, which keep no history, by a hash annotation. A resource whose
live content is not what phoenix-dash last wrote was edited by someone else: a conflict.
"""

from __future__ import annotations

import copy
from abc import ABC, abstractmethod
from typing import Any

from ..alerting.grafana import api_group
from ..build import Build
from ..datasources import HASH_KEY, secret_values
from ..grafana.connection import GrafanaConnection
from ..grafana.errors import GrafanaConflict, GrafanaNotFound
from .model import Action, Change, Remote, Resource
from .normalize import (
    HASH_ANNOTATION,
    content_hash,
    normalize_dashboard,
    normalize_group,
    normalize_rule,
    recorded_hash,
    version_message,
)
from .target import Target

JSON = dict[str, Any]


class Handler(ABC):
    kind: str

    def prefetch(self, conn: GrafanaConnection, resources: list[Resource]) -> None:  # noqa: B027
        """Read in bulk what lets ``plan`` skip per-resource reads (optional)."""

    @abstractmethod
    def desired(self, build: Build, target: Target) -> list[Resource]: ...

    @abstractmethod
    def plan(self, conn: GrafanaConnection, resource: Resource, target: Target) -> Change: ...

    def managed(self, conn: GrafanaConnection, target: Target) -> list[Resource]:
        """What Grafana has that phoenix-dash manages (candidates for --prune)."""
        return []

    def plan_delete(self, conn: GrafanaConnection, resource: Resource,
                    target: Target) -> Change:
        return Change(resource, Action.DELETE, reason="no longer defined")

    @abstractmethod
    def apply(self, conn: GrafanaConnection, change: Change, target: Target) -> str: ...


def _conflict_or(change_action: Action, resource: Resource, remote: Remote, reason: str,
                 target: Target) -> Change:
    if target.force:
        return Change(resource, change_action, remote, f"forced over: {reason}")
    return Change(resource, Action.CONFLICT, remote, reason)


class FolderHandler(Handler):
    kind = "folder"

    def desired(self, build: Build, target: Target) -> list[Resource]:
        resources = []
        for folder in target.folders.values():
            parent = target.folder_uid(folder.parent) or None
            body = {"uid": folder.uid, "title": folder.title, **({"parentUid": parent}
                                                                 if parent else {})}
            resources.append(Resource(self.kind, folder.uid, folder.title, parent, body,
                                      content_hash(body)))
        # Parents first.
        return sorted(resources, key=lambda r: (r.folder is not None, r.key))

    def plan(self, conn: GrafanaConnection, resource: Resource, target: Target) -> Change:
        try:
            found = conn.request("GET", f"/folders/{resource.key}")
        except GrafanaNotFound:
            return Change(resource, Action.CREATE, reason="new folder")
        remote = Remote(found, found.get("version"))
        desired = resource.desired or {}
        differences = [f"{key}: {found.get(key)!r} -> {desired.get(key)!r}"
                       for key in ("title", "parentUid") if found.get(key) != desired.get(key)]
        if not differences:
            return Change(resource, Action.UNCHANGED, remote)
        return Change(resource, Action.UPDATE, remote, "changed", differences)

    def apply(self, conn: GrafanaConnection, change: Change, target: Target) -> str:
        body = change.resource.desired or {}
        if change.action == Action.CREATE:
            conn.request("POST", "/folders", json=body)
            return "created"
        version = change.remote.version if change.remote else None
        conn.request("PUT", f"/folders/{change.resource.key}",
                     json={"title": body["title"], "version": version,
                           "overwrite": target.force})
        return "updated"


class DashboardHandler(Handler):
    kind = "dashboard"

    def __init__(self) -> None:
        self.existing: set[str] | None = None  # uids known to exist, from one search

    def prefetch(self, conn: GrafanaConnection, resources: list[Resource]) -> None:
        if not resources:
            return
        hits = conn.request("GET", "/search", params={"type": "dash-db", "limit": 5000})
        self.existing = {hit["uid"] for hit in hits or []} if len(hits or []) < 5000 else None

    def desired(self, build: Build, target: Target) -> list[Resource]:
        resources = []
        for dashboard in build.dashboards:
            body = target.remap(normalize_dashboard(dashboard.clean, stamped=False))
            body["tags"] = sorted({*body.get("tags", []), target.managed_tag})
            if target.uid_prefix:
                body = _with_uids(body, target, {d.uid for d in build.dashboards})
            uid = target.dashboard_uid(dashboard.uid)
            folder = target.folder_uid(build.folder_of(dashboard.uid))
            resources.append(Resource(self.kind, uid, dashboard.title, folder, body,
                                      _dashboard_hash(folder, body)))
        return resources

    def plan(self, conn: GrafanaConnection, resource: Resource, target: Target) -> Change:
        known_absent = self.existing is not None and resource.key not in self.existing
        remote = None if known_absent else self._read(conn, resource.key)
        if remote is None:
            return Change(resource, Action.CREATE, reason="new dashboard")
        if remote.content_hash == resource.content_hash:
            return Change(resource, Action.UNCHANGED, remote)
        from .diffing import dashboard_changes

        details = dashboard_changes(remote.body.get("dashboard", {}), resource.desired or {},
                                    remote.body.get("meta", {}).get("folderUid"), resource.folder)
        self._read_history(conn, resource.key, remote)
        if remote.recorded_hash is None:
            change = _conflict_or(Action.UPDATE, resource, remote, self._foreign(remote), target)
        elif remote.recorded_hash != remote.content_hash:
            change = _conflict_or(Action.UPDATE, resource, remote,
                                  f"edited by {remote.last_editor or 'someone'} at "
                                  f"{remote.last_edited} (version {remote.version}) since "
                                  "phoenix-dash's last write", target)
        else:
            change = Change(resource, Action.UPDATE, remote, "changed in code")
        change.details = details
        return change

    @staticmethod
    def _foreign(remote: Remote) -> str:
        return (f"last saved by {remote.last_editor or 'someone'} at {remote.last_edited} "
                f"(version {remote.version}), not by phoenix-dash")

    def _read(self, conn: GrafanaConnection, uid: str) -> Remote | None:
        try:
            found = conn.request("GET", f"/dashboards/uid/{uid}")
        except GrafanaNotFound:
            return None
        body = normalize_dashboard(found.get("dashboard", {}), stamped=False)
        folder = found.get("meta", {}).get("folderUid") or ""
        return Remote(found, found.get("dashboard", {}).get("version"),
                      _dashboard_hash(folder, body))

    @staticmethod
    def _read_history(conn: GrafanaConnection, uid: str, remote: Remote) -> None:
        answer = conn.request("GET", f"/dashboards/uid/{uid}/versions", params={"limit": 1})
        versions = answer.get("versions", []) if isinstance(answer, dict) else answer or []
        if versions:
            newest = max(versions, key=lambda v: v.get("version", 0))
            remote.recorded_hash = recorded_hash(newest.get("message"))
            remote.last_editor = str(newest.get("createdBy") or "")
            remote.last_edited = str(newest.get("created") or "")

    def managed(self, conn: GrafanaConnection, target: Target) -> list[Resource]:
        hits = conn.request("GET", "/search", params={"type": "dash-db", "tag": target.managed_tag,
                                                       "limit": 5000})
        return [Resource(self.kind, hit["uid"], hit.get("title", ""), hit.get("folderUid"))
                for hit in hits or []]

    def plan_delete(self, conn: GrafanaConnection, resource: Resource,
                    target: Target) -> Change:
        remote = self._read(conn, resource.key)
        if remote is None:
            return Change(resource, Action.UNCHANGED, reason="already gone")
        self._read_history(conn, resource.key, remote)
        if remote.recorded_hash != remote.content_hash:
            return _conflict_or(Action.DELETE, resource, remote,
                                f"to delete, but {self._foreign(remote)}"
                                if remote.recorded_hash is None else
                                f"to delete, but edited by {remote.last_editor or 'someone'} "
                                f"at {remote.last_edited}", target)
        return Change(resource, Action.DELETE, remote, "no longer defined")

    def apply(self, conn: GrafanaConnection, change: Change, target: Target) -> str:
        resource = change.resource
        if change.action == Action.DELETE:
            try:
                conn.request("DELETE", f"/dashboards/uid/{resource.key}")
            except GrafanaNotFound:
                return "already deleted"
            return "deleted"
        body = dict(resource.desired or {})
        if change.remote is not None:
            body["version"] = change.remote.version
        message = version_message(target.revision, resource.content_hash, target.note)
        try:
            conn.request("POST", "/dashboards/db", json={
                "dashboard": body, "folderUid": resource.folder or "", "message": message,
                "overwrite": target.force})
        except GrafanaConflict:
            if self._already_written(conn, resource):
                return "written (an earlier attempt had succeeded)"
            raise
        return "created" if change.action == Action.CREATE else "updated"

    def _already_written(self, conn: GrafanaConnection, resource: Resource) -> bool:
        """A retried POST whose first attempt succeeded meets its own write: not a conflict."""
        remote = self._read(conn, resource.key)
        if remote is None:
            return False
        self._read_history(conn, resource.key, remote)
        return remote.recorded_hash == resource.content_hash == remote.content_hash


def _with_uids(body: JSON, target: Target, uids: set[str]) -> JSON:
    """The dashboard under its preview uid, its links to the others pointing at theirs."""
    body = {**body, "uid": target.dashboard_uid(str(body.get("uid")))}
    links = []
    for link in body.get("links") or []:
        url = str(link.get("url") or "")
        if url.startswith("/d/") and url[3:].split("/")[0].split("?")[0] in uids:
            uid = url[3:].split("/")[0].split("?")[0]
            link = {**link, "url": url.replace(f"/d/{uid}", f"/d/{target.dashboard_uid(uid)}", 1)}
        links.append(link)
    body["links"] = links
    return body


def _dashboard_hash(folder: str | None, body: JSON) -> str:
    return content_hash({"folder": folder or "", "dashboard": body})


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
        from .diffing import group_changes

        details = group_changes(found, resource.desired or {})
        edited = [rule.get("title") for rule in found.get("rules") or []
                  if (rule.get("annotations") or {}).get(HASH_ANNOTATION)
                  != content_hash(normalize_rule(rule))]
        if edited:
            names = ", ".join(map(str, edited))
            change = _conflict_or(Action.UPDATE, resource, remote,
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


# What Grafana's GET adds or manages itself (DataSource in its OpenAPI spec, plus apiVersion
# from Grafana 12's app-platform datasources).
DATASOURCE_VOLATILE = ("id", "orgId", "version", "readOnly", "secureJsonFields", "typeLogoUrl",
                       "typeName", "withCredentials", "database", "user", "password",
                       "accessControl", "apiVersion")


def normalize_datasource(body: JSON) -> JSON:
    clean = {k: v for k, v in body.items() if k not in DATASOURCE_VOLATILE
             and k != "secureJsonData"}
    clean["jsonData"] = {k: v for k, v in (clean.get("jsonData") or {}).items()
                         if k != HASH_KEY}
    clean.setdefault("isDefault", False)
    clean.setdefault("basicAuth", False)
    if not clean.get("basicAuthUser"):
        clean.pop("basicAuthUser", None)
    return clean


class DatasourceHandler(Handler):
    """Datasources by uid. Sync records the content hash in jsonData (Grafana keeps unknown
    jsonData keys), so an edit in the UI shows as a hash that no longer matches. Secrets come
    from the environment at write time and cannot be compared: --force rewrites them."""

    kind = "datasource"

    def desired(self, build: Build, target: Target) -> list[Resource]:
        resources = []
        for definition in build.datasources:
            body = target.remap(copy.deepcopy(definition.body))
            body["uid"] = target.datasource_uids.get(definition.uid, definition.uid)
            body["url"] = target.datasource_urls.get(definition.uid, body["url"])
            digest = content_hash(normalize_datasource(body))
            body.setdefault("jsonData", {})[HASH_KEY] = digest
            resources.append(Resource(self.kind, body["uid"], definition.name, None, body,
                                      digest, dict(definition.secrets)))
        return resources

    def plan(self, conn: GrafanaConnection, resource: Resource, target: Target) -> Change:
        try:
            found = conn.request("GET", f"/datasources/uid/{resource.key}")
        except GrafanaNotFound:
            return self._needing_secrets(Change(resource, Action.CREATE, reason="new datasource"))
        remote = Remote(found, found.get("version"), content_hash(normalize_datasource(found)),
                        (found.get("jsonData") or {}).get(HASH_KEY))
        if remote.content_hash == resource.content_hash and not target.force:
            return Change(resource, Action.UNCHANGED, remote)
        if remote.recorded_hash is None:
            change = _conflict_or(Action.UPDATE, resource, remote,
                                  "exists and was not written by phoenix-dash", target)
        elif remote.recorded_hash != remote.content_hash:
            change = _conflict_or(Action.UPDATE, resource, remote,
                                  "edited since phoenix-dash's last write", target)
        else:
            change = Change(resource, Action.UPDATE, remote, "changed in code")
        change.details = _datasource_changes(normalize_datasource(found),
                                             normalize_datasource(resource.desired or {}))
        return self._needing_secrets(change)

    @staticmethod
    def _needing_secrets(change: Change) -> Change:
        if change.writes:  # a missing secret stops the plan, before any write
            secret_values(change.resource.key, change.resource.secrets)
        return change

    def managed(self, conn: GrafanaConnection, target: Target) -> list[Resource]:
        found = conn.request("GET", "/datasources") or []
        return [Resource(self.kind, ds["uid"], ds.get("name", ""), None) for ds in found
                if HASH_KEY in (ds.get("jsonData") or {})]

    def apply(self, conn: GrafanaConnection, change: Change, target: Target) -> str:
        uid = change.resource.key
        if change.action == Action.DELETE:
            conn.request("DELETE", f"/datasources/uid/{uid}")
            return "deleted"
        body = {**(change.resource.desired or {})}
        secrets = secret_values(uid, change.resource.secrets)
        if secrets:
            body["secureJsonData"] = secrets
        if change.action == Action.CREATE:
            conn.request("POST", "/datasources", json=body)
            return "created"
        if change.remote is not None:
            body["version"] = change.remote.version
        conn.request("PUT", f"/datasources/uid/{uid}", json=body)
        return "updated"


def _datasource_changes(old: JSON, new: JSON) -> list[str]:
    changes = [f"{key}: {old.get(key)!r} -> {new.get(key)!r}"
               for key in sorted(set(old) | set(new)) if key != "jsonData" and
               old.get(key) != new.get(key)]
    old_json, new_json = old.get("jsonData") or {}, new.get("jsonData") or {}
    changed = sorted(k for k in set(old_json) | set(new_json) if old_json.get(k) != new_json.get(k))
    if changed:
        changes.append(f"jsonData {', '.join(changed)} changed")
    return changes


HANDLERS: list[Handler] = [FolderHandler(), DatasourceHandler(), DashboardHandler(),
                           AlertGroupHandler()]
