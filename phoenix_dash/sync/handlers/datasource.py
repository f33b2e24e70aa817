"""Datasources by uid, with secrets from the environment at write time."""

from __future__ import annotations

import copy

from ...build import Build
from ...datasources import HASH_KEY, VERSION_KEY, missing_secrets, secret_values
from ...grafana.connection import GrafanaConnection
from ...grafana.errors import GrafanaNotFound
from ..diffing import datasource_changes
from ..model import Action, Change, Remote, Resource
from ..normalize import content_hash, owned_view
from ..target import Target
from .base import JSON, Handler, judged_by_record, not_ours, written_as_recorded

# What Grafana's GET adds or manages itself (DataSource in its OpenAPI spec, plus apiVersion
# from Grafana 12's app-platform datasources). Only for showing differences: whether a
# datasource changed is decided by hashes and versions, never by comparing Grafana's answer.
DATASOURCE_VOLATILE = (
    "id",
    "orgId",
    "version",
    "readOnly",
    "secureJsonFields",
    "typeLogoUrl",
    "typeName",
    "withCredentials",
    "database",
    "user",
    "password",
    "accessControl",
    "apiVersion",
)
OWN_KEYS = (HASH_KEY, VERSION_KEY)


def normalize_datasource(body: JSON) -> JSON:
    clean = {
        k: v for k, v in body.items() if k not in DATASOURCE_VOLATILE and k != "secureJsonData"
    }
    clean["jsonData"] = {
        k: v for k, v in (clean.get("jsonData") or {}).items() if k not in OWN_KEYS
    }
    clean.setdefault("isDefault", False)
    clean.setdefault("basicAuth", False)
    if not clean.get("basicAuthUser"):
        clean.pop("basicAuthUser", None)
    return clean


class DatasourceHandler(Handler):
    """Datasources by uid. Sync records in jsonData (Grafana keeps unknown jsonData keys) the
    hash of what it wrote and the version Grafana gave that write: the code changed when the
    hash differs, someone else saved the datasource when the version does. Secrets come from
    the environment at write time; their values cannot be compared (--force rewrites them),
    only whether Grafana holds one."""

    kind = "datasource"

    def desired(self, build: Build, target: Target) -> list[Resource]:
        resources = []
        for definition in build.datasources:
            body = target.remap(copy.deepcopy(definition.body))
            body["uid"] = target.datasource_uids.get(definition.uid, definition.uid)
            body["url"] = target.datasource_urls.get(definition.uid, body["url"])
            digest = content_hash(normalize_datasource(body))
            body.setdefault("jsonData", {})[HASH_KEY] = digest
            resources.append(
                Resource(
                    self.kind,
                    body["uid"],
                    definition.name,
                    None,
                    body,
                    digest,
                    dict(definition.secrets),
                )
            )
        return resources

    def plan(self, conn: GrafanaConnection, resource: Resource, target: Target) -> Change:
        remote = self._read(conn, resource.key)
        if remote is None:
            return self._needing_secrets(Change(resource, Action.CREATE, reason="new datasource"))
        found = remote.body
        if found.get("readOnly"):
            return not_ours(resource, remote, "file provisioning (a read-only datasource)")
        unset = _unset_secrets(found, resource)
        ours_last = remote.recorded_hash is not None and remote.recorded_version == remote.version
        if (
            remote.recorded_hash == resource.content_hash
            and ours_last
            and not unset
            and not target.force
        ):
            return Change(resource, Action.UNCHANGED, remote)
        reason = (
            "changed in code"
            if remote.recorded_hash != resource.content_hash
            else "a secret is missing in Grafana"
            if unset
            else "forced"
        )
        change = judged_by_record(resource, remote, target, reason)
        wanted = normalize_datasource(resource.desired or {})
        change.details = datasource_changes(owned_view(normalize_datasource(found), wanted), wanted)
        change.details += [f"secret {field} is not set in Grafana" for field in unset]
        return self._needing_secrets(change)

    @staticmethod
    def _needing_secrets(change: Change) -> Change:
        """A plan needs no secret (a pull request's diff runs without production's): one
        that is not set here is noted on the change; applying needs it (``ready``)."""
        if change.writes:
            change.details += [
                f"secret {field} (${variable}) is not set here: not checked; sync needs it"
                for field, variable in missing_secrets(change.resource.secrets)
            ]
        return change

    def ready(self, change: Change) -> None:
        if change.writes and change.action != Action.DELETE:
            secret_values(change.resource.label, change.resource.secrets)

    def managed(self, conn: GrafanaConnection, target: Target) -> list[Resource]:
        found = conn.request("GET", "/datasources") or []
        return [
            Resource(self.kind, ds["uid"], ds.get("name", ""), None)
            for ds in found
            if HASH_KEY in (ds.get("jsonData") or {}) and not ds.get("readOnly")
        ]

    def apply(self, conn: GrafanaConnection, change: Change, target: Target) -> str:
        uid = change.resource.key
        if change.action == Action.DELETE:
            conn.request("DELETE", f"/datasources/uid/{uid}")
            return "deleted"
        body = copy.deepcopy(change.resource.desired or {})
        secrets = secret_values(change.resource.label, change.resource.secrets)
        if secrets:
            body["secureJsonData"] = secrets
        if change.action == Action.CREATE:
            body["jsonData"][VERSION_KEY] = 1  # a new datasource is version 1
            conn.request("POST", "/datasources", json=body)
            return "created"
        # Grafana stores the sent version + 1 (store.go); without one it does not check, so
        # --force overwrites an edit made between plan and apply.
        sent = change.remote.version if change.remote is not None and not target.force else None
        body["jsonData"][VERSION_KEY] = (sent or 0) + 1
        if sent is not None:
            body["version"] = sent
        answer = conn.request("PUT", f"/datasources/uid/{uid}", json=body)
        given = ((answer or {}).get("datasource") or {}).get("version")
        if isinstance(given, int) and given != body["jsonData"][VERSION_KEY]:
            # A Grafana that numbers versions otherwise: record the version it gave, once.
            body["jsonData"][VERSION_KEY] = given + 1
            body["version"] = given
            conn.request("PUT", f"/datasources/uid/{uid}", json=body)
        return "updated"

    def already_applied(self, conn: GrafanaConnection, change: Change) -> bool:
        # Secrets cannot be read back; the rest must be phoenix-dash's write of this content.
        remote = self._read(conn, change.resource.key)
        return written_as_recorded(remote, change.resource.content_hash)

    @staticmethod
    def _read(conn: GrafanaConnection, uid: str) -> Remote | None:
        try:
            found = conn.request("GET", f"/datasources/uid/{uid}")
        except GrafanaNotFound:
            return None
        json_data = found.get("jsonData") or {}
        recorded = json_data.get(VERSION_KEY)
        return Remote(
            found,
            found.get("version"),
            "",
            json_data.get(HASH_KEY),
            recorded_version=recorded if isinstance(recorded, int) else None,
        )


def _unset_secrets(found: JSON, resource: Resource) -> list[str]:
    """Secret fields the code sets that Grafana holds no value for. Values are write-only, so
    a changed secret cannot be seen (--force rewrites it), but a missing one can."""
    present = {key for key, isset in (found.get("secureJsonFields") or {}).items() if isset}
    return sorted(set(resource.secrets) - present)
