"""Routing trees through Grafana's alerting resource API
(``notifications.alerting.grafana.app``), with what BEHAVIOR-ALERTING.md N1, N4 and N7 say a
real Grafana does: ``dryRun`` is ignored and the write persists, named trees (Grafana 13.1+)
have DNS-1123 names of at most 40 characters, ``user-defined`` is the default tree (the legacy
API's), matchers of every form are read back as one list, ``resourceVersion`` is a
fingerprint of the tree and a stale one is a 409, and manager annotations decide provenance."""

from __future__ import annotations

import re
from typing import Any

from . import alerting_behaviour as ab
from .behaviour import Quirks
from .jsoncopy import json_copy
from .model import JSON, Answer, Org
from .resource_rules import status

GROUP = "notifications.alerting.grafana.app"
DEFAULT_TREE = "user-defined"
NAME_RE = re.compile(r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
PROVENANCE = "grafana.com/provenance"
MANAGER_KIND = "grafana.app/managedBy"
# N7: manager kinds and the provenance they stand for.
MANAGED_AS = {"kubectl": "api", "terraform": "api", "repo": "file"}


def served_versions(quirks: Quirks) -> list[str]:
    return ["v1beta1", "v0alpha1"] if quirks.major >= 13 else ["v0alpha1"]


def named_trees(quirks: Quirks) -> bool:
    """alertingMultiplePolicies: GA and on by default from 13.1 (N4)."""
    major, minor = (int(part) for part in quirks.version.split(".")[:2])
    return (major, minor) >= (13, 1)


def _legacy_route(route: JSON) -> JSON:
    """A resource route in the legacy API's form (object_matchers)."""
    out = {k: v for k, v in route.items() if k not in ("matchers", "routes", "continue")}
    matchers = route.get("matchers") or []
    if matchers:
        out["object_matchers"] = [[m["label"], m["type"], m["value"]] for m in matchers]
    if route.get("continue"):
        out["continue"] = True
    if route.get("routes"):
        out["routes"] = [_legacy_route(child) for child in route["routes"]]
    return out


def _resource_route(route: JSON) -> JSON:
    """A stored (legacy) route as the resource API reads it: every matcher form folded into
    ``matchers`` (N4), ``continue`` always present."""
    out: JSON = {
        k: v for k, v in route.items() if k not in ("object_matchers", "routes", "continue")
    }
    out.pop("matchers", None)
    out.pop("match", None)
    out.pop("match_re", None)
    folded = [
        {"label": n, "type": op, "value": v} for n, op, v in route.get("object_matchers") or []
    ]
    for text in route.get("matchers") or []:
        found = ab.MATCHER_RE.match(text)
        if found:
            folded.append({"label": found[1], "type": found[2], "value": ab._unquoted(found[3])})
    folded += [{"label": k, "type": "=", "value": v} for k, v in (route.get("match") or {}).items()]
    folded += [
        {"label": k, "type": "=~", "value": v} for k, v in (route.get("match_re") or {}).items()
    ]
    if folded:
        out["matchers"] = folded
    out["continue"] = bool(route.get("continue"))
    if route.get("routes"):
        out["routes"] = [_resource_route(child) for child in route["routes"]]
    return out


DEFAULT_KEYS = ("receiver", "group_by", "group_wait", "group_interval", "repeat_interval")


class RoutingTreesMixin:
    quirks: Quirks

    def _tree_object(self, org: Org, name: str, version: str) -> JSON | None:
        if name == DEFAULT_TREE:
            stored, annotations = org.policy, {PROVENANCE: org.policy_provenance or "none"}
        elif name in org.routing_trees:
            stored = org.routing_trees[name]["tree"]
            annotations = dict(org.routing_trees[name]["annotations"])
        else:
            return None
        spec = {
            "defaults": {k: json_copy(stored[k]) for k in DEFAULT_KEYS if k in stored},
            "routes": [_resource_route(r) for r in stored.get("routes") or []],
        }
        return {
            "apiVersion": f"{GROUP}/{version}",
            "kind": "RoutingTree",
            "metadata": {
                "name": name,
                "namespace": "default",
                "resourceVersion": ab.fingerprint(stored),
                "annotations": annotations,
            },
            "spec": spec,
        }

    def routing_tree_call(
        self, org: Org, method: str, version: str, name: str | None, body: Any
    ) -> Answer:
        """N1: a ``dryRun`` query changes nothing here: the write is applied."""
        if method == "GET" and name is None:
            names = [DEFAULT_TREE, *sorted(org.routing_trees)]
            items = [self._tree_object(org, n, version) for n in names]
            return 200, {
                "apiVersion": f"{GROUP}/{version}",
                "kind": "RoutingTreeList",
                "items": items,
            }
        if method == "GET":
            found = self._tree_object(org, str(name), version)
            return (200, found) if found else self._missing(str(name))
        if method == "DELETE" and name is not None:
            if name == DEFAULT_TREE:
                org.policy, org.policy_provenance = ab.default_tree(), ""
            elif org.routing_trees.pop(name, None) is None:
                return self._missing(name)
            return 200, status(200, "", "deleted")[1] | {"status": "Success"}
        if method in ("POST", "PUT"):
            return self._write_tree(org, method, version, name, body or {})
        return 405, {"message": "Method Not Allowed"}

    @staticmethod
    def _missing(name: str) -> Answer:
        return status(404, "NotFound", f'routingtrees.{GROUP} "{name}" not found')

    def _write_tree(
        self, org: Org, method: str, version: str, path_name: str | None, body: JSON
    ) -> Answer:
        metadata = body.get("metadata") or {}
        name = str(path_name or metadata.get("name") or "")
        if method == "POST" and name in (DEFAULT_TREE, *org.routing_trees):
            return status(409, "AlreadyExists", f'routingtrees.{GROUP} "{name}" already exists')
        if method == "PUT" and name != DEFAULT_TREE and name not in org.routing_trees:
            return self._missing(name)
        if name != DEFAULT_TREE:
            if not named_trees(self.quirks):
                return status(400, "BadRequest", "only the default routing tree is supported")
            if len(name) > 40 or not NAME_RE.match(name) or ":" in name:
                return status(
                    400,
                    "BadRequest",
                    f"routing tree name {name!r} must be a lower-case DNS-1123 subdomain of at "
                    "most 40 characters",
                )
        current = self._tree_object(org, name, version) if method == "PUT" else None
        sent_version = metadata.get("resourceVersion")
        if current and sent_version and sent_version != current["metadata"]["resourceVersion"]:
            return status(
                409,
                "Conflict",
                f"provided version {sent_version} of routing tree does not match current "
                f"version {current['metadata']['resourceVersion']}",
            )
        spec = body.get("spec") or {}
        tree = {**(spec.get("defaults") or {})}
        tree["routes"] = [_legacy_route(r) for r in spec.get("routes") or []]
        try:
            stored = ab.stored_tree(tree)
            names = {i["name"] for i in org.integrations.values()}
            for receiver in sorted(ab.tree_names(stored, "receiver") - names):
                raise ValueError(f"receiver '{receiver}' does not exist")
            for key in ("mute_time_intervals", "active_time_intervals"):
                for interval in sorted(ab.tree_names(stored, key) - set(org.mute_timings)):
                    raise ValueError(f"time interval '{interval}' does not exist")
        except ValueError as exc:
            return status(400, "BadRequest", f"invalid route: {exc}")
        annotations = dict(metadata.get("annotations") or {})
        annotations[PROVENANCE] = MANAGED_AS.get(annotations.get(MANAGER_KIND, ""), "none")
        if name == DEFAULT_TREE:
            org.policy, org.policy_provenance = stored, annotations[PROVENANCE].replace("none", "")
        else:
            org.routing_trees[name] = {"tree": stored, "annotations": annotations}
        answer = self._tree_object(org, name, version)
        return (201 if method == "POST" else 200), answer
