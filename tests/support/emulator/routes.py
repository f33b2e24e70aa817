"""The emulator's route table: what each Grafana API path needs and does."""

from __future__ import annotations

import re
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from typing import Any

from .model import Answer
from .state import State

Route = tuple[str, re.Pattern[str], str | None, Callable[..., Answer]]
PERMISSIONS = {
    "Viewer": ["dashboards:read", "folders:read", "datasources:read", "alert.provisioning:read"],
    "Editor": [
        "dashboards:read",
        "dashboards:create",
        "dashboards:write",
        "dashboards:delete",
        "folders:read",
        "folders:create",
        "folders:write",
        "folders:delete",
        "datasources:read",
        "alert.provisioning:read",
        "alert.provisioning:write",
    ],
}
PERMISSIONS["Admin"] = [
    *PERMISSIONS["Editor"],
    "datasources:create",
    "datasources:write",
    "datasources:delete",
]


def routes(s: State) -> list[Route]:
    """Method, path pattern, permission needed, and handler(org, identity, body, query,
    request, **path parameters) -> (status, body)."""

    def r(method: str, path: str, permission: str | None, handler: Callable[..., Answer]) -> Route:
        return method, re.compile("^" + path + "$"), permission, handler

    def provenance(request: BaseHTTPRequestHandler) -> str:
        header = request.headers.get("X-Disable-Provenance")
        if "R6" in s.quirks:  # determineProvenance: the header's presence alone counts
            return "" if header is not None else "api"
        return "" if (header or "").lower() == "true" else "api"

    return [
        r(
            "GET",
            "/user",
            None,
            lambda o, i, b, q, req: (
                200,
                {
                    "id": 1,
                    "login": i.login,
                    "email": f"{i.login}@example.com",
                    "name": i.login,
                    "orgId": i.org_id,
                    "isGrafanaAdmin": False,
                },
            ),
        ),
        r("GET", "/org", None, lambda o, i, b, q, req: (200, {"id": o.id, "name": f"Org {o.id}"})),
        r(
            "GET",
            "/access-control/user/permissions",
            None,
            lambda o, i, b, q, req: (200, {action: ["*"] for action in PERMISSIONS[i.role]}),
        ),
        r(
            "POST",
            "/dashboards/db",
            "dashboards:write",
            lambda o, i, b, q, req: s.save_dashboard(o, b, i.login),
        ),
        r(
            "GET",
            "/dashboards/uid/(?P<uid>[^/]+)",
            "dashboards:read",
            lambda o, i, b, q, req, uid: s.get_dashboard(o, uid),
        ),
        r(
            "DELETE",
            "/dashboards/uid/(?P<uid>[^/]+)",
            "dashboards:delete",
            lambda o, i, b, q, req, uid: s.delete_dashboard(o, uid),
        ),
        r(
            "GET",
            "/dashboards/uid/(?P<uid>[^/]+)/versions",
            "dashboards:write",  # Grafana's guardian asks CanSave for a dashboard's history
            lambda o, i, b, q, req, uid: s.versions(o, uid),
        ),
        r(
            "GET",
            "/dashboards/uid/(?P<uid>[^/]+)/versions/(?P<number>[^/]+)",
            "dashboards:write",
            lambda o, i, b, q, req, uid, number: s.version(o, uid, number),
        ),
        r(
            "POST",
            "/dashboards/uid/(?P<uid>[^/]+)/restore",
            "dashboards:write",
            lambda o, i, b, q, req, uid: s.restore_answer(o, uid, b or {}, i.login),
        ),
        r("GET", "/search", "dashboards:read", lambda o, i, b, q, req: s.search(o, q)),
        r(
            "GET",
            "/folders",
            "folders:read",
            lambda o, i, b, q, req: s.list_folders(o, (q.get("parentUid") or [None])[0]),
        ),
        r(
            "POST",
            "/folders",
            "folders:create",
            lambda o, i, b, q, req: s.create_folder(o, b or {}, i.login),
        ),
        r(
            "GET",
            "/folders/(?P<uid>[^/]+)",
            "folders:read",
            lambda o, i, b, q, req, uid: s.get_folder(o, uid),
        ),
        r(
            "PUT",
            "/folders/(?P<uid>[^/]+)",
            "folders:write",
            lambda o, i, b, q, req, uid: s.update_folder(o, uid, b or {}, i.login),
        ),
        r(
            "POST",
            "/folders/(?P<uid>[^/]+)/move",
            "folders:write",
            lambda o, i, b, q, req, uid: s.move_folder(o, uid, b or {}, i.login),
        ),
        r(
            "DELETE",
            "/folders/(?P<uid>[^/]+)",
            "folders:delete",
            lambda o, i, b, q, req, uid: s.delete_folder(
                o, uid, (q.get("forceDeleteRules") or ["false"])[0] == "true"
            ),
        ),
        r(
            "GET",
            "/v1/provisioning/alert-rules",
            "alert.provisioning:read",
            lambda o, i, b, q, req: s.list_rules(o),
        ),
        r(
            "POST",
            "/v1/provisioning/alert-rules",
            "alert.provisioning:write",
            lambda o, i, b, q, req: s.write_rule(o, b or {}, provenance(req), create=True),
        ),
        r(
            "GET",
            "/v1/provisioning/alert-rules/(?P<uid>[^/]+)",
            "alert.provisioning:read",
            lambda o, i, b, q, req, uid: s.get_rule(o, uid),
        ),
        r(
            "PUT",
            "/v1/provisioning/alert-rules/(?P<uid>[^/]+)",
            "alert.provisioning:write",
            lambda o, i, b, q, req, uid: s.write_rule(
                o, {**(b or {}), "uid": uid}, provenance(req), create=False
            ),
        ),
        r(
            "DELETE",
            "/v1/provisioning/alert-rules/(?P<uid>[^/]+)",
            "alert.provisioning:write",
            lambda o, i, b, q, req, uid: s.delete_rule(o, uid, provenance(req)),
        ),
        r(
            "GET",
            "/v1/provisioning/folder/(?P<folder>[^/]+)/rule-groups/(?P<group>[^/]+)",
            "alert.provisioning:read",
            lambda o, i, b, q, req, folder, group: s.rule_group(o, folder, group),
        ),
        r(
            "PUT",
            "/v1/provisioning/folder/(?P<folder>[^/]+)/rule-groups/(?P<group>[^/]+)",
            "alert.provisioning:write",
            lambda o, i, b, q, req, folder, group: s.put_rule_group(
                o, folder, group, b or {}, provenance(req)
            ),
        ),
        r(
            "DELETE",
            "/v1/provisioning/folder/(?P<folder>[^/]+)/rule-groups/(?P<group>[^/]+)",
            "alert.provisioning:write",
            lambda o, i, b, q, req, folder, group: s.delete_rule_group(
                o, folder, group, provenance(req)
            ),
        ),
        *notification_routes(s, r, provenance),
        *library_routes(s, r),
        r("GET", "/datasources", "datasources:read", lambda o, i, b, q, req: s.list_datasources(o)),
        r(
            "POST",
            "/datasources",
            "datasources:create",
            lambda o, i, b, q, req: s.add_datasource(o, b or {}),
        ),
        r(
            "GET",
            "/datasources/uid/(?P<uid>[^/]+)",
            "datasources:read",
            lambda o, i, b, q, req, uid: s.get_datasource(o, uid),
        ),
        r(
            "PUT",
            "/datasources/uid/(?P<uid>[^/]+)",
            "datasources:write",
            lambda o, i, b, q, req, uid: s.update_datasource(o, uid, b or {}),
        ),
        r(
            "DELETE",
            "/datasources/uid/(?P<uid>[^/]+)",
            "datasources:delete",
            lambda o, i, b, q, req, uid: s.delete_datasource(o, uid),
        ),
    ]


def library_routes(s: State, r: Callable[..., Route]) -> list[Route]:
    """Library panels (library_elements.py)."""
    base = "/library-elements"
    return [
        r("GET", base, "dashboards:read", lambda o, i, b, q, req: s.list_library_elements(o)),
        r(
            "POST",
            base,
            "dashboards:write",
            lambda o, i, b, q, req: s.create_library_element(o, b or {}, i.login),
        ),
        r(
            "GET",
            f"{base}/(?P<uid>[^/]+)/connections/?",
            "dashboards:read",
            lambda o, i, b, q, req, uid: s.library_element_connections(o, uid),
        ),
        r(
            "GET",
            f"{base}/(?P<uid>[^/]+)",
            "dashboards:read",
            lambda o, i, b, q, req, uid: s.get_library_element(o, uid),
        ),
        r(
            "PATCH",
            f"{base}/(?P<uid>[^/]+)",
            "dashboards:write",
            lambda o, i, b, q, req, uid: s.patch_library_element(o, uid, b or {}, i.login),
        ),
        r(
            "DELETE",
            f"{base}/(?P<uid>[^/]+)",
            "dashboards:delete",
            lambda o, i, b, q, req, uid: s.delete_library_element(o, uid),
        ),
    ]


def notification_routes(
    s: State, r: Callable[..., Route], provenance: Callable[[BaseHTTPRequestHandler], str]
) -> list[Route]:
    """Contact points, the policy tree, mute timings and templates (notifications.py)."""
    read, write = "alert.provisioning:read", "alert.provisioning:write"
    base = "/v1/provisioning"

    def first(q: dict[str, list[str]], key: str) -> str:
        return (q.get(key) or [""])[0]

    return [
        r(
            "GET",
            f"{base}/contact-points",
            read,
            lambda o, i, b, q, req: s.list_contact_points(o, first(q, "name") or None),
        ),
        r(
            "GET",
            f"{base}/contact-points/export",
            read,
            lambda o, i, b, q, req: s.export_contact_points(o, first(q, "name") or None),
        ),
        r(
            "POST",
            f"{base}/contact-points",
            write,
            lambda o, i, b, q, req: s.create_contact_point(o, b or {}, provenance(req)),
        ),
        r(
            "PUT",
            f"{base}/contact-points/(?P<uid>[^/]+)",
            write,
            lambda o, i, b, q, req, uid: s.update_contact_point(o, uid, b or {}, provenance(req)),
        ),
        r(
            "DELETE",
            f"{base}/contact-points/(?P<uid>[^/]+)",
            write,
            lambda o, i, b, q, req, uid: s.delete_contact_point(o, uid),
        ),
        r("GET", f"{base}/policies", read, lambda o, i, b, q, req: s.get_policy_tree(o)),
        r(
            "PUT",
            f"{base}/policies",
            write,
            lambda o, i, b, q, req: s.put_policy_tree(o, b or {}, provenance(req)),
        ),
        r("DELETE", f"{base}/policies", write, lambda o, i, b, q, req: s.reset_policy_tree(o)),
        r("GET", f"{base}/mute-timings", read, lambda o, i, b, q, req: s.list_mute_timings(o)),
        r(
            "GET",
            f"{base}/mute-timings/(?P<name>[^/]+)",
            read,
            lambda o, i, b, q, req, name: s.get_mute_timing(o, name),
        ),
        r(
            "POST",
            f"{base}/mute-timings",
            write,
            lambda o, i, b, q, req: s.create_mute_timing(o, b or {}, provenance(req)),
        ),
        r(
            "PUT",
            f"{base}/mute-timings/(?P<name>[^/]+)",
            write,
            lambda o, i, b, q, req, name: s.update_mute_timing(o, name, b or {}, provenance(req)),
        ),
        r(
            "DELETE",
            f"{base}/mute-timings/(?P<name>[^/]+)",
            write,
            lambda o, i, b, q, req, name: s.delete_mute_timing(
                o, name, first(q, "version"), provenance(req)
            ),
        ),
        r("GET", f"{base}/templates", read, lambda o, i, b, q, req: s.list_templates(o)),
        r(
            "GET",
            f"{base}/templates/(?P<name>[^/]+)",
            read,
            lambda o, i, b, q, req, name: s.get_template(o, name),
        ),
        r(
            "PUT",
            f"{base}/templates/(?P<name>[^/]+)",
            write,
            lambda o, i, b, q, req, name: s.put_template(o, name, b or {}, provenance(req)),
        ),
        r(
            "DELETE",
            f"{base}/templates/(?P<name>[^/]+)",
            write,
            lambda o, i, b, q, req, name: s.delete_template(
                o, name, first(q, "version"), provenance(req)
            ),
        ),
    ]


# The resource APIs: /apis/<group>/<version>/namespaces/<namespace>/<resource>[/<name>].
RESOURCE_RE = re.compile(
    r"^/apis/(?P<group>dashboard|folder)\.grafana\.app/(?P<version>[^/]+)/namespaces/"
    r"(?P<namespace>[^/]+)/(?P<resource>dashboards|folders)(?:/(?P<name>[^/]+))?$"
)
ROUTING_TREES_RE = re.compile(
    r"^/apis/notifications\.alerting\.grafana\.app/(?P<version>[^/]+)/namespaces/"
    r"(?P<namespace>[^/]+)/routingtrees(?:/(?P<name>[^/]+))?$"
)
VERBS = {"GET": "read", "POST": "create", "PUT": "write", "DELETE": "delete"}
K8S_VERBS = {"GET": "get", "POST": "create", "PUT": "update", "DELETE": "delete"}


def resource_call(
    s: State,
    org: Any,
    login: str,
    role: str,
    method: str,
    match: re.Match[str],
    body: Any,
    query: dict[str, list[str]],
) -> Answer:
    """One call of the resource APIs, after authentication and the namespace check."""
    from . import resource_rules as resources

    group, version = match["group"], match["version"]
    resource, name = match["resource"], match["name"]
    served = resources.served_groups(s.quirks).get(f"{group}.grafana.app", [])
    if version not in served or f"{group}s" != resource:
        return 404, {"message": "Not found"}
    permission = f"{resource}:{VERBS[method]}"
    if permission not in PERMISSIONS[role]:
        what = (
            f'{resource}.{group}.grafana.app "{name}"'
            if name
            else f"{resource}.{group}.grafana.app"
        )
        return resources.status(
            403,
            "Forbidden",
            f'{what} is forbidden: User "{login}" cannot {K8S_VERBS[method]} resource '
            f'"{resource}" in API group "{group}.grafana.app" in the namespace '
            f'"{s.namespace_of(org.id)}"',
        )
    dry_run = (query.get("dryRun") or [""])[0] == "All"
    admin = role == "Admin"
    dashboards = resource == "dashboards"
    if method == "GET" and name is None:
        return s.list_resources(org, resource, version, query)
    if method == "GET":
        return s.get_resource(org, resource, name, version)
    if method in ("POST", "PUT") and (name is None) == (method == "POST"):
        write = s.write_dashboard_resource if dashboards else s.write_folder_resource
        return write(org, body, login, version, name, dry_run, admin)
    if method == "DELETE" and name is not None and dashboards:
        return s.delete_dashboard_resource(org, name, body, admin)
    return 405, {"message": "Method Not Allowed"}
