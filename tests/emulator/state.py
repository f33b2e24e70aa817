"""The emulator's data and the rules of each call, as BEHAVIOR.md describes Grafana's."""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import re
import secrets
from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]
Answer = tuple[int, Any]  # status, JSON body (None: empty body)
UID_RE = re.compile(r"^[a-zA-Z0-9_-]*$")
DURATION_RE = re.compile(r"^(\d+(ms|s|m|h|d|w|y))+$")


def now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


@dataclass
class Version:
    version: int
    created: str
    created_by: str
    message: str
    data: JSON


@dataclass
class Dashboard:
    id: int
    uid: str
    folder_uid: str
    versions: list[Version] = field(default_factory=list)

    @property
    def current(self) -> Version:
        return self.versions[-1]

    @property
    def title(self) -> str:
        return str(self.current.data.get("title", ""))


@dataclass
class Folder:
    id: int
    uid: str
    title: str
    parent_uid: str | None
    version: int = 1

    def as_json(self) -> JSON:
        out = {"id": self.id, "uid": self.uid, "title": self.title, "version": self.version,
               "url": f"/dashboards/f/{self.uid}/{slug(self.title)}"}
        if self.parent_uid:
            out["parentUid"] = self.parent_uid
        return out


@dataclass
class Org:
    id: int
    dashboards: dict[str, Dashboard] = field(default_factory=dict)
    folders: dict[str, Folder] = field(default_factory=dict)
    rules: dict[str, JSON] = field(default_factory=dict)
    datasources: dict[str, JSON] = field(default_factory=dict)


class State:
    """Everything the emulated Grafana stores, per organisation."""

    def __init__(self) -> None:
        self.orgs: dict[int, Org] = {1: Org(1)}
        self._ids = itertools.count(1)

    def org(self, org_id: int) -> Org:
        return self.orgs.setdefault(org_id, Org(org_id))

    # --- dashboards --------------------------------------------------------------------

    def save_dashboard(self, org: Org, body: Any, user: str) -> Answer:
        if not isinstance(body, dict) or not isinstance(body.get("dashboard"), dict):
            return 400, {"message": "bad request data"}
        dashboard = body["dashboard"]  # freshly parsed from the request: ours to keep
        if body.get("isFolder") or dashboard.get("isFolder"):
            return 400, {"message": "Use folders endpoint for saving folders."}
        folder_uid = body.get("folderUid") or ""
        if folder_uid and folder_uid not in org.folders:
            return 400, {"message": "folder not found"}
        if not str(dashboard.get("title") or "").strip():
            return 400, {"status": "empty-name", "message": "Dashboard title cannot be empty"}
        uid = dashboard.get("uid") or secrets.token_hex(5)[:9]
        if not UID_RE.match(uid):
            return 400, {"message": "uid contains illegal characters"}
        if len(uid) > 40:
            return 400, {"message": "uid too long, max 40 characters"}
        given_id = dashboard.get("id")
        if given_id:
            owner = next((d for d in org.dashboards.values() if d.id == given_id), None)
            if owner is None:
                return 404, {"status": "not-found", "message": "Dashboard not found"}
            if owner.uid != uid and uid in org.dashboards:
                return 400, {"message": "A dashboard with the same uid already exists"}
        existing = org.dashboards.get(uid)
        if existing is not None and not body.get("overwrite") and \
                dashboard.get("version") != existing.current.version:
            return 412, {"status": "version-mismatch",
                         "message": "The dashboard has been changed by someone else"}
        if existing is None:
            existing = org.dashboards[uid] = Dashboard(next(self._ids), uid, folder_uid)
        existing.folder_uid = folder_uid
        version = existing.current.version + 1 if existing.versions else 1
        dashboard.update(id=existing.id, uid=uid, version=version)
        existing.versions.append(Version(version, now(), user, str(body.get("message") or ""),
                                         dashboard))
        return 200, {"id": existing.id, "uid": uid, "url": f"/d/{uid}/{slug(existing.title)}",
                     "status": "success", "version": version, "slug": slug(existing.title),
                     "folderUid": folder_uid}

    def get_dashboard(self, org: Org, uid: str) -> Answer:
        found = org.dashboards.get(uid)
        if found is None:
            return 404, {"message": "Dashboard not found"}
        folder = org.folders.get(found.folder_uid)
        first = found.versions[0]
        return 200, {
            "dashboard": copy.deepcopy(found.current.data),
            "meta": {
                "type": "db", "slug": slug(found.title), "url": f"/d/{uid}/{slug(found.title)}",
                "folderUid": found.folder_uid, "folderTitle": folder.title if folder else "General",
                "version": found.current.version, "created": first.created,
                "updated": found.current.created, "createdBy": first.created_by,
                "updatedBy": found.current.created_by, "provisioned": False, "canSave": True,
            },
        }

    def delete_dashboard(self, org: Org, uid: str) -> Answer:
        found = org.dashboards.pop(uid, None)
        if found is None:
            return 404, {"message": "Dashboard not found"}
        return 200, {"title": found.title, "message": f"Dashboard {found.title} deleted",
                     "uid": uid}

    def versions(self, org: Org, uid: str) -> Answer:
        found = org.dashboards.get(uid)
        if found is None:
            return 404, {"message": "Dashboard not found"}
        items = [{"id": v.version, "dashboardId": found.id, "uid": uid, "version": v.version,
                  "parentVersion": v.version - 1, "restoredFrom": 0, "created": v.created,
                  "createdBy": v.created_by, "message": v.message}
                 for v in reversed(found.versions)]
        return 200, {"continueToken": "", "versions": items}

    def search(self, org: Org, query: dict[str, list[str]]) -> Answer:
        kind = (query.get("type") or [""])[0]
        text = (query.get("query") or [""])[0].lower()
        tags = set(query.get("tag") or [])
        folders = {f for v in query.get("folderUIDs") or [] for f in v.split(",") if f}
        uids = {u for v in query.get("dashboardUIDs") or [] for u in v.split(",") if u}
        limit = min(int((query.get("limit") or ["1000"])[0]), 5000)
        page = max(int((query.get("page") or ["1"])[0]), 1)
        hits: list[JSON] = []
        if kind in ("", "dash-folder"):
            hits += [{"id": f.id, "uid": f.uid, "title": f.title, "type": "dash-folder",
                      "uri": f"db/{slug(f.title)}", "url": f.as_json()["url"], "tags": [],
                      "isStarred": False}
                     for f in org.folders.values()
                     if text in f.title.lower() and not tags and (not uids or f.uid in uids)
                     and (not folders or f.parent_uid in folders)]
        if kind in ("", "dash-db"):
            for d in org.dashboards.values():
                data_tags = set(d.current.data.get("tags") or [])
                if text in d.title.lower() and tags <= data_tags and (not uids or d.uid in uids) \
                        and (not folders or d.folder_uid in folders):
                    folder = org.folders.get(d.folder_uid)
                    hits.append({"id": d.id, "uid": d.uid, "title": d.title, "type": "dash-db",
                                 "uri": f"db/{slug(d.title)}", "url": f"/d/{d.uid}/{slug(d.title)}",
                                 "tags": sorted(data_tags), "isStarred": False,
                                 "folderUid": d.folder_uid,
                                 "folderTitle": folder.title if folder else "General"})
        hits.sort(key=lambda h: (h["type"] != "dash-folder", h["title"].lower()))
        return 200, hits[(page - 1) * limit: page * limit]

    # --- folders -----------------------------------------------------------------------

    def list_folders(self, org: Org, parent: str | None) -> Answer:
        return 200, [{"id": f.id, "uid": f.uid, "title": f.title,
                      **({"parentUid": f.parent_uid} if f.parent_uid else {})}
                     for f in org.folders.values() if f.parent_uid == parent]

    def create_folder(self, org: Org, body: JSON) -> Answer:
        uid = body.get("uid") or secrets.token_hex(5)[:9]
        if uid in org.folders or uid in org.dashboards:
            return 409, {"message": "a folder/dashboard with the same uid already exists"}
        parent = body.get("parentUid") or None
        if parent and parent not in org.folders:
            return 400, {"message": "parent folder not found"}
        if not str(body.get("title") or "").strip():
            return 400, {"message": "folder title cannot be empty"}
        folder = org.folders[uid] = Folder(next(self._ids), uid, body["title"], parent)
        return 200, folder.as_json()

    def get_folder(self, org: Org, uid: str) -> Answer:
        folder = org.folders.get(uid)
        if folder is None:
            return 404, {"status": "not-found", "message": "folder not found"}
        return 200, folder.as_json()

    def update_folder(self, org: Org, uid: str, body: JSON) -> Answer:
        folder = org.folders.get(uid)
        if folder is None:
            return 404, {"status": "not-found", "message": "folder not found"}
        if not body.get("overwrite") and body.get("version") != folder.version:
            return 412, {"status": "version-mismatch",
                         "message": "the folder has been changed by someone else"}
        folder.title = body.get("title") or folder.title
        folder.version += 1
        return 200, folder.as_json()

    def delete_folder(self, org: Org, uid: str, force_rules: bool) -> Answer:
        folder = org.folders.get(uid)
        if folder is None:
            return 404, {"status": "not-found", "message": "folder not found"}
        rules = [r for r in org.rules.values() if r["folderUID"] == uid]
        if rules and not force_rules:
            return 400, {"message": "folder cannot be deleted: folder contains alert rules"}
        for rule in rules:
            del org.rules[rule["uid"]]
        for dashboard_uid in [d.uid for d in org.dashboards.values() if d.folder_uid == uid]:
            del org.dashboards[dashboard_uid]
        del org.folders[uid]
        return 200, {"message": "Folder deleted", "title": folder.title, "id": folder.id}

    # --- alert rules (provisioning API) ------------------------------------------------

    def rule_error(self, org: Org, rule: JSON) -> str | None:
        for key in ("title", "condition", "data"):
            if not rule.get(key):
                return f"invalid alert rule: {key} is required"
        if rule.get("folderUID") not in org.folders:
            return f"invalid alert rule: folder does not exist: {rule.get('folderUID')}"
        if not isinstance(rule.get("for"), str) or not DURATION_RE.match(rule["for"]):
            return f"invalid alert rule: invalid duration {rule.get('for')!r}"
        refs = {q.get("refId") for q in rule["data"]}
        if rule["condition"] not in refs:
            return f"invalid alert rule: condition {rule['condition']} does not exist, must be " \
                   f"one of {sorted(refs)}"
        uid = rule.get("uid") or ""
        if not UID_RE.match(uid) or len(uid) > 40:
            return "invalid alert rule: cannot have invalid UID"
        return None

    def write_rule(self, org: Org, rule: JSON, provenance: str, create: bool) -> Answer:
        rule = copy.deepcopy(rule)
        rule.setdefault("uid", secrets.token_hex(7))
        error = self.rule_error(org, rule)
        if error:
            return 400, {"message": error}
        existing = org.rules.get(rule["uid"])
        if create and existing is not None:
            return 400, {"message": "invalid alert rule: a rule with this UID already exists"}
        if not create and existing is None:
            return 404, None
        rule.update(id=existing["id"] if existing else next(self._ids), orgID=org.id,
                    updated=now(), provenance=provenance)
        org.rules[rule["uid"]] = rule
        return (201 if create else 200), copy.deepcopy(rule)

    def rule_group(self, org: Org, folder_uid: str, group: str) -> Answer:
        rules = [r for r in org.rules.values()
                 if r["folderUID"] == folder_uid and r["ruleGroup"] == group]
        if not rules:
            return 404, {"message": "rule group not found under this folder"}
        interval = rules[0].get("__interval", 60)
        return 200, {"title": group, "folderUid": folder_uid, "interval": interval,
                     "rules": [{k: v for k, v in r.items() if k != "__interval"} for r in rules]}

    def put_rule_group(self, org: Org, folder_uid: str, group: str, body: JSON,
                       provenance: str) -> Answer:
        if folder_uid not in org.folders:
            return 400, {"message": f"invalid alert rule: folder does not exist: {folder_uid}"}
        incoming = []
        for rule in body.get("rules") or []:
            rule = {**copy.deepcopy(rule), "folderUID": folder_uid, "ruleGroup": group}
            rule.setdefault("uid", secrets.token_hex(7))
            error = self.rule_error(org, rule)
            if error:
                return 400, {"message": error}
            incoming.append(rule)
        keep = {r["uid"] for r in incoming}
        for uid in [u for u, r in org.rules.items() if r["folderUID"] == folder_uid
                    and r["ruleGroup"] == group and u not in keep]:
            del org.rules[uid]  # the group is replaced whole
        for rule in incoming:
            existing = org.rules.get(rule["uid"])
            rule.update(id=existing["id"] if existing else next(self._ids), orgID=org.id,
                        updated=now(), provenance=provenance,
                        __interval=int(body.get("interval") or 60))
            org.rules[rule["uid"]] = rule
        return self.rule_group(org, folder_uid, group) if incoming else (200, {
            "title": group, "folderUid": folder_uid, "interval": body.get("interval"), "rules": []})

    def delete_rule_group(self, org: Org, folder_uid: str, group: str) -> Answer:
        for uid in [u for u, r in org.rules.items()
                    if r["folderUID"] == folder_uid and r["ruleGroup"] == group]:
            del org.rules[uid]
        return 204, None

    # --- datasources -------------------------------------------------------------------

    def add_datasource(self, org: Org, body: JSON) -> Answer:
        if any(d["name"] == body.get("name") for d in org.datasources.values()):
            return 409, {"message": "data source with the same name already exists"}
        uid = body.get("uid") or secrets.token_hex(7)
        if uid in org.datasources:
            return 409, {"message": "data source with the same uid already exists"}
        datasource = {**copy.deepcopy(body), "uid": uid, "id": next(self._ids), "orgId": org.id,
                      "version": 1, "readOnly": False}
        secure = datasource.pop("secureJsonData", None) or {}
        datasource["secureJsonFields"] = {key: True for key in secure}
        org.datasources[uid] = datasource
        return 200, {"datasource": datasource, "id": datasource["id"],
                     "message": "Datasource added", "name": datasource["name"]}

    def update_datasource(self, org: Org, uid: str, body: JSON) -> Answer:
        existing = org.datasources.get(uid)
        if existing is None:
            return 404, {"message": "Data source not found"}
        # Grafana updates only where the stored version < the sent version + 1 (no version
        # sent: no check) and keeps names unique (datasources/service/store.go,
        # api/datasources.go).
        if body.get("version") and existing["version"] > body["version"]:
            return 409, {"message": "Datasource has already been updated by someone else. "
                                    "Please reload and try again"}
        if any(d["name"] == body.get("name") for u, d in org.datasources.items() if u != uid):
            return 409, {"message": "Failed to update datasource: data source with the same "
                                    "name already exists"}
        secure = body.get("secureJsonData") or {}
        updated = {**existing, **{k: v for k, v in body.items() if k != "secureJsonData"},
                   "uid": uid, "version": existing["version"] + 1}
        updated["secureJsonFields"] = {**existing.get("secureJsonFields", {}),
                                       **{key: True for key in secure}}
        org.datasources[uid] = updated
        return 200, {"datasource": updated, "id": updated["id"],
                     "message": "Datasource updated", "name": updated["name"]}
