"""Library panels (``/api/library-elements``), as BEHAVIOR-ALERTING.md L1-L7 and L9 say a real
Grafana does: the uid checked like a dashboard's, a duplicate uid or name (in one folder) a
400, ``type`` and ``description`` added to the model, every PATCH a new version whether or not
anything changed, a stale version a 412, a delete refused while a dashboard uses it, and
(12.x) a dashboard save that names an unknown library panel stored and then answered 500;
with the flag libraryelementsKubernetesLibraryPanels (L9, off by default) the model cut to
the keys /apis keeps and the version a generation."""

from __future__ import annotations

import re
from typing import Any

from .behaviour import Quirks
from .jsoncopy import json_copy
from .model import JSON, Answer, Org, now

NOT_FOUND: Answer = (404, {"message": "library element could not be found"})
# L9: with this flag on, /api/library-elements is served from /apis (librarypanels v0alpha1):
# the model is rebuilt from the spec with these keys only, and the version is the object's
# generation, which only a change of the spec bumps.
SERVED_FROM_APIS = "libraryelementsKubernetesLibraryPanels"
L9_KEPT = (
    "datasource",
    "description",
    "fieldConfig",
    "gridPos",
    "id",
    "options",
    "pluginVersion",
    "type",
    "title",
    "libraryPanel",
)
L9_KEPT_WHEN_SET = ("links", "targets", "transparent")
UID_CHARS = re.compile(r"^[a-zA-Z0-9_-]*$")


def used_library_uids(dashboard: JSON) -> set[str]:
    found = set()
    for panel in dashboard.get("panels") or []:
        for item in [panel, *(panel.get("panels") or [])] if isinstance(panel, dict) else []:
            ref = item.get("libraryPanel") if isinstance(item, dict) else None
            if isinstance(ref, dict) and ref.get("uid"):
                found.add(str(ref["uid"]))
    return found


class LibraryElementsMixin:
    quirks: Quirks
    _ids: Any

    def _connections(self, org: Org, uid: str) -> list[str]:
        """Dashboards whose current version uses the element (main derives this from search)."""
        return sorted(
            d.uid
            for d in org.dashboards.values()
            if d.versions and uid in used_library_uids(d.current.data)
        )

    def _element_answer(self, org: Org, element: JSON) -> JSON:
        out = json_copy(element)
        folder = org.folders.get(element["folderUid"])
        out["meta"] = {
            "folderName": folder.title if folder else "General",
            "folderUid": element["folderUid"],
            "connectedDashboards": len(self._connections(org, element["uid"])),
            "created": element["created"],
            "updated": element["updated"],
            "createdBy": {"name": element["createdBy"]},
            "updatedBy": {"name": element["updatedBy"]},
        }
        for key in ("created", "updated", "createdBy", "updatedBy"):
            out.pop(key, None)
        return {"result": out}

    def _model(self, model: Any, uid: str) -> JSON:
        """L2: type and description added when missing, the reference's uid filled in; L9
        (flag on): only the keys the /apis spec keeps."""
        out: JSON = json_copy(model) if isinstance(model, dict) else {}
        out.setdefault("type", "")
        out.setdefault("description", "")
        reference = out.get("libraryPanel")
        if isinstance(reference, dict) and not reference.get("uid"):
            reference["uid"] = uid
        if SERVED_FROM_APIS in self.quirks.feature_flags:
            out = {
                k: v
                for k, v in out.items()
                if k in L9_KEPT or (k in L9_KEPT_WHEN_SET and v not in (None, False, [], ""))
            }
            if isinstance(out.get("libraryPanel"), dict):
                out["libraryPanel"] = {
                    k: out["libraryPanel"][k] for k in ("name", "uid") if k in out["libraryPanel"]
                }
        return out

    def _folder_problem(self, org: Org, folder_uid: str) -> Answer | None:
        if folder_uid and folder_uid not in org.folders:
            return 400, {"message": "failed to get folder"}
        return None

    def create_library_element(self, org: Org, body: JSON, user: str) -> Answer:
        import secrets

        uid = str(body.get("uid") or secrets.token_hex(5))
        if not UID_CHARS.match(uid):
            return 400, {"message": "uid contains illegal characters"}
        if len(uid) > 40:
            return 400, {"message": "uid too long, max 40 characters"}
        if body.get("kind") not in (1, 2):
            return 500, {"message": "the element kind is not supported"}
        folder_uid = str(body.get("folderUid") or "")
        problem = self._folder_problem(org, folder_uid)
        if problem:
            return problem
        name = str(body.get("name") or "")
        taken = any(
            e["uid"] == uid or (e["name"] == name and e["folderUid"] == folder_uid)
            for e in org.library_elements.values()
        )
        if taken:
            return 400, {"message": "library element with that name or UID already exists"}
        model = self._model(body.get("model"), uid)
        org.library_elements[uid] = {
            "id": next(self._ids),
            "orgId": org.id,
            "folderUid": folder_uid,
            "uid": uid,
            "name": name,
            "kind": body["kind"],
            "type": model["type"],
            "description": model["description"],
            "model": model,
            "version": 1,
            "created": now(),
            "updated": now(),
            "createdBy": user,
            "updatedBy": user,
        }
        return 200, self._element_answer(org, org.library_elements[uid])

    def get_library_element(self, org: Org, uid: str) -> Answer:
        element = org.library_elements.get(uid)
        return (200, self._element_answer(org, element)) if element else NOT_FOUND

    def list_library_elements(self, org: Org) -> Answer:
        elements = [self._element_answer(org, e)["result"] for e in org.library_elements.values()]
        return 200, {
            "result": {"totalCount": len(elements), "elements": elements, "page": 1, "perPage": 100}
        }

    def patch_library_element(self, org: Org, uid: str, body: JSON, user: str) -> Answer:
        """L3: the version must be the stored one; every PATCH bumps it."""
        element = org.library_elements.get(uid)
        if element is None:
            return NOT_FOUND
        if body.get("version") != element["version"]:
            return 412, {"message": "the library element has been changed by someone else"}
        before = json_copy({k: element[k] for k in ("folderUid", "name", "model")})
        if "folderUid" in body:
            problem = self._folder_problem(org, str(body["folderUid"] or ""))
            if problem:
                return problem
            element["folderUid"] = str(body["folderUid"] or "")
        if body.get("name"):
            element["name"] = str(body["name"])
        if "model" in body:
            element["model"] = self._model(body["model"], uid)
            element["type"] = element["model"]["type"]
            element["description"] = element["model"]["description"]
        spec_changed = before != {k: element[k] for k in ("folderUid", "name", "model")}
        if spec_changed or SERVED_FROM_APIS not in self.quirks.feature_flags:
            element["version"] += 1  # L3: every PATCH; L9: the generation, on a change
        element["updated"], element["updatedBy"] = now(), user
        return 200, self._element_answer(org, element)

    def delete_library_element(self, org: Org, uid: str) -> Answer:
        element = org.library_elements.get(uid)
        if element is None:
            return NOT_FOUND
        if self._connections(org, uid):
            return 403, {"message": "the library element has connections"}
        del org.library_elements[uid]
        return 200, {"message": "Library element deleted", "id": element["id"]}

    def library_element_connections(self, org: Org, uid: str) -> Answer:
        if uid not in org.library_elements:
            return NOT_FOUND
        return 200, {
            "result": [
                {
                    "connectionUid": dashboard,
                    "kind": 1,
                    "elementId": org.library_elements[uid]["id"],
                }
                for dashboard in self._connections(org, uid)
            ]
        }

    def unknown_library_panels(self, org: Org, dashboard: JSON) -> bool:
        """L7 (12.x): the connect step after a save fails on a uid nobody has."""
        return self.quirks.major < 13 and bool(
            used_library_uids(dashboard) - set(org.library_elements)
        )
