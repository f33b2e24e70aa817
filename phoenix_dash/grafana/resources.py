"""Grafana's resource APIs (``/apis/<group>/<version>/namespaces/<namespace>/<resource>``),
which Grafana 12 added and Grafana 13 makes the current API for dashboards and folders: which
of them a server serves, in which namespace, and the calls sync makes on them.

Shapes and status codes are Kubernetes' (Grafana runs an API server inside): create answers
201 (409 when the name exists), update needs the ``resourceVersion`` read before (409 when
stale), lists come in pages (``limit`` and ``continue``), and ``dryRun=All`` runs admission
and validation without storing anything.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

from ..errors import ConfigError, Location
from ..workers import worker_pool
from .connection import GrafanaConnection
from .errors import GrafanaError, GrafanaForbidden, GrafanaNotAPI, GrafanaNotFound

JSON = dict[str, Any]
API_CHOICES = ("auto", "apis", "legacy")
DASHBOARD_GROUP = "dashboard.grafana.app"
FOLDER_GROUP = "folder.grafana.app"
# Versions phoenix-dash writes, preferred first: v1 from Grafana 12.2 on (13.x), v1beta1 in
# 12.0 and 12.1. Other versions (v0alpha1, v2*) are left to the legacy API.
USABLE_VERSIONS = ("v1", "v1beta1")
PAGE_SIZE = 500


@dataclass(frozen=True)
class ResourceAPI:
    """Where a Grafana serves dashboards and folders as resources."""

    namespace: str
    dashboards: str  # group/version, "dashboard.grafana.app/v1"
    folders: str  # "folder.grafana.app/v1"
    dashboards_v2: str = ""  # "dashboard.grafana.app/v2" where served (Grafana 13)

    def for_schema_v2(self) -> ResourceAPI:
        """The same server, dashboards read and written in schema v2."""
        return replace(self, dashboards=self.dashboards_v2)

    def collection(self, kind: str) -> str:
        group_version = self.dashboards if kind == "dashboard" else self.folders
        return f"/apis/{group_version}/namespaces/{self.namespace}/{kind}s"

    def item(self, kind: str, name: str) -> str:
        return f"{self.collection(kind)}/{name}"

    def api_version(self, kind: str) -> str:
        return self.dashboards if kind == "dashboard" else self.folders

    def describe(self) -> str:
        return f"/apis ({self.dashboards}, {self.folders}; namespace {self.namespace})"


def choose_api(
    conn: GrafanaConnection, grafana: Mapping[str, Any], file: str
) -> ResourceAPI | None:
    """The resource APIs when the server serves usable versions of both groups and
    ``grafana.api`` allows them; None for the legacy API. ``grafana.api: apis`` on a server
    without them is an error, not a silent fallback."""
    wanted = str(grafana.get("api") or "auto")
    if wanted == "legacy":
        return None
    with worker_pool(2) as pool:  # one round trip for the discovery and the namespace
        served_at = pool.submit(served_versions, conn)
        namespace_at = pool.submit(namespace, conn, grafana)
        served = served_at.result()
        dashboards = _usable(served, DASHBOARD_GROUP)
        folders = _usable(served, FOLDER_GROUP)
        if dashboards and folders:
            v2 = f"{DASHBOARD_GROUP}/v2" if "v2" in served.get(DASHBOARD_GROUP, []) else ""
            return ResourceAPI(namespace_at.result(), dashboards, folders, v2)
    if wanted == "apis":
        found = ", ".join(
            f"{g}/{v}" for g in (DASHBOARD_GROUP, FOLDER_GROUP) for v in served.get(g, [])
        )
        raise ConfigError(
            f"grafana.api is 'apis', but {conn.settings.url} does not serve "
            f"{DASHBOARD_GROUP}/v1 and {FOLDER_GROUP}/v1 (it serves {found or 'neither'}); "
            "set grafana.api to auto or legacy",
            Location(file, None, "grafana.api"),
        )
    return None


def served_versions(conn: GrafanaConnection) -> dict[str, list[str]]:
    """Group -> versions, from the API discovery document (``GET /apis``); empty when the
    server has no resource APIs (Grafana 11 and before answer 404)."""
    try:
        discovery = conn.request_root("GET", "/apis")
    except (GrafanaNotFound, GrafanaNotAPI):
        # Before the resource APIs, /apis is a 404 or the web app's catch-all page (the API
        # root itself was checked before: /api/health).
        return {}
    groups = discovery.get("groups") if isinstance(discovery, dict) else None
    if not isinstance(groups, list):
        raise GrafanaNotAPI(
            f"{conn.settings.url}/apis answered JSON that is not an API group list",
            None,
            "GET",
            "/apis",
        )
    return {
        str(group.get("name")): [
            str(v.get("version")) for v in group.get("versions") or [] if isinstance(v, dict)
        ]
        for group in groups
        if isinstance(group, dict)
    }


def _usable(served: Mapping[str, list[str]], group: str) -> str:
    versions = served.get(group, [])
    return next((f"{group}/{v}" for v in USABLE_VERSIONS if v in versions), "")


def namespace(conn: GrafanaConnection, grafana: Mapping[str, Any]) -> str:
    """``grafana.namespace`` when set; else the organisation's: ``default`` for org 1,
    ``org-N`` for another, and on Grafana Cloud the stack's (``stacks-N``), which only the
    server knows (``GET /bootdata``, as gcx reads it)."""
    if grafana.get("namespace"):
        return str(grafana["namespace"])
    with worker_pool(2) as pool:  # both asked at once: one round trip
        cloud = pool.submit(_cloud_namespace, conn)
        org_id = grafana.get("org_id") or _org_of_credential(conn)
        if org_id and int(org_id) != 1:
            return f"org-{org_id}"
        return cloud.result() or "default"


def _org_of_credential(conn: GrafanaConnection) -> int | None:
    try:
        org = conn.request("GET", "/org")
    except (GrafanaNotFound, GrafanaForbidden):
        return None
    org_id = org.get("id")
    return org_id if isinstance(org_id, int) else None


def _cloud_namespace(conn: GrafanaConnection) -> str:
    try:
        boot = conn.request_root("GET", "/bootdata")
    except GrafanaError as exc:
        if exc.exit_code == 2 and not isinstance(exc, GrafanaNotAPI):
            raise  # unreachable, TLS, credentials: the same for every call
        return ""  # not served (before 12.x) or not JSON: not a Cloud stack
    found = (boot.get("settings") or {}).get("namespace") if isinstance(boot, dict) else None
    return str(found) if isinstance(found, str) and found.startswith("stacks-") else ""


# --- the calls ---------------------------------------------------------------------------


def read(conn: GrafanaConnection, path: str) -> JSON | None:
    try:
        found: JSON = conn.request_root("GET", path)
    except GrafanaNotFound:
        return None
    return found


# Kubernetes' content negotiation for "the metadata of each item, without its spec": a
# tenth of a dashboard list's bytes. A server that cannot answer so answers the full list
# (the second type Accept names); items without a spec tell which came.
METADATA_ONLY = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1, application/json"


def list_all(
    conn: GrafanaConnection, collection: str, metadata_only: bool = False
) -> Iterator[JSON]:
    """Every item of a collection, page after page until Grafana gives no ``continue``;
    with ``metadata_only``, perhaps only their metadata (see ``is_metadata_only``)."""
    headers = {"Accept": METADATA_ONLY} if metadata_only else None
    token = ""
    while True:
        params: JSON = {"limit": PAGE_SIZE, **({"continue": token} if token else {})}
        page = conn.request_root("GET", collection, params=params, headers=headers)
        yield from (item for item in page.get("items") or [] if isinstance(item, dict))
        token = str((page.get("metadata") or {}).get("continue") or "")
        if not token:
            return


def is_metadata_only(item: JSON) -> bool:
    return "spec" not in item


def create(conn: GrafanaConnection, collection: str, body: JSON, dry_run: bool = False) -> JSON:
    created: JSON = conn.request_root("POST", collection, json=body, params=_dry(dry_run))
    return created


def update(conn: GrafanaConnection, path: str, body: JSON, dry_run: bool = False) -> JSON:
    """``body`` carries ``metadata.resourceVersion``: Grafana refuses it (409) if the resource
    changed since it was read."""
    updated: JSON = conn.request_root("PUT", path, json=body, params=_dry(dry_run))
    return updated


def delete(conn: GrafanaConnection, path: str, resource_version: str = "") -> None:
    """With ``resource_version``, Grafana refuses (409) if the resource changed since."""
    options = {"preconditions": {"resourceVersion": resource_version}} if resource_version else None
    conn.request_root("DELETE", path, json=options)


def _dry(dry_run: bool) -> dict[str, str] | None:
    return {"dryRun": "All"} if dry_run else None
