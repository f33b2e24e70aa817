"""Contact points, the notification policy tree, mute timings and templates through the legacy
provisioning API, with what a real Grafana does to them (BEHAVIOR-ALERTING.md P1-P25): secrets
moved out of the settings and read back redacted, matchers sorted and re-rendered, durations
re-rendered, months as numbers, templates wrapped, no no-op detection, provenance rules that
differ per kind, and 409s for what is still referenced."""

from __future__ import annotations

import base64
import secrets
from typing import Any

from . import alerting_behaviour as ab
from .behaviour import Quirks
from .jsoncopy import json_copy
from .model import JSON, Answer, Org

INVALID_ROUTE = "alerting.notifications.routes.invalidFormat"


def name_to_uid(name: str) -> str:
    return base64.urlsafe_b64encode(name.encode()).decode().rstrip("=")


def provenance_refused(stored: str, requested: str) -> Answer | None:
    """ValidateProvenanceRelaxed (P17): what API and file provisioning wrote cannot be made
    editable; file provisioning's may be taken over by the API."""
    if stored in ("", requested) or (stored == "file" and requested == "api"):
        return None
    return ab.error(
        403,
        "alerting.notifications.invalidProvenance",
        f"Resource with provenance status '{stored}' cannot be changed to "
        f"'{requested or 'none'}'. You must use appropriate API and permissions to manage "
        "this resource",
    )


class NotificationsMixin:
    quirks: Quirks

    # --- contact points (P1-P12) ---------------------------------------------------------

    def _integration_answer(self, org: Org, integration: JSON) -> JSON:
        group = [i for i in org.integrations.values() if i["name"] == integration["name"]]
        provenance = next((i["provenance"] for i in group if i["provenance"]), "")  # P10
        out = {
            "uid": integration["uid"],
            "name": integration["name"],
            "type": integration["type"],
            "settings": ab.redacted(
                integration["type"], integration["settings"], integration["secure"]
            ),
            "disableResolveMessage": integration["disableResolveMessage"],
        }
        if provenance:
            out["provenance"] = provenance
        return out

    def list_contact_points(self, org: Org, name: str | None) -> Answer:
        found = sorted(org.integrations.values(), key=lambda i: (i["name"], i["uid"]))
        return 200, [
            self._integration_answer(org, i) for i in found if name is None or i["name"] == name
        ]

    def _checked_integration(self, body: JSON, existing: JSON | None) -> JSON | Answer:
        if body.get("settings") is None:
            return 400, {"message": "settings should not be empty"}
        kind = str(body.get("type") or "")
        raw = json_copy(body["settings"])
        if existing is not None:  # P6: "[REDACTED]" keeps the stored value
            for path, value in existing["secure"].items():
                if ab._pop_path(json_copy(raw), path) == ab.REDACTED:
                    ab._pop_path(raw, path)
                    ab._set_path(raw, path, value)
        settings, secure = ab.split_secrets(kind, raw)
        problem = ab.contact_point_problem(kind, settings, secure)
        if problem or not str(body.get("name") or "").strip():
            message = problem or "contact point name must not be empty"
            return 400, {"message": f"invalid object specification: {message}"}
        return {
            "name": body["name"],
            "type": kind,
            "settings": settings,
            "secure": secure,
            "disableResolveMessage": bool(body.get("disableResolveMessage")),
        }

    def create_contact_point(self, org: Org, body: JSON, provenance: str) -> Answer:
        uid = str(body.get("uid") or secrets.token_hex(7))  # P1
        if not ab.UID_RE.match(uid):
            return 400, {"message": "invalid object specification: UID is invalid"}
        if uid in org.integrations:  # P2: a Conflict the handler turns into a 500
            return 500, {
                "message": f"Receiver configuration with UID '{uid}' already exists in contact "
                f"point '{org.integrations[uid]['name']}'. Please use unique identifiers for "
                "receivers across all contact points."
            }
        checked = self._checked_integration(body, None)
        if isinstance(checked, tuple):
            return checked
        org.integrations[uid] = {**checked, "uid": uid, "provenance": provenance}  # P3
        return 202, self._integration_answer(org, org.integrations[uid])

    def update_contact_point(self, org: Org, uid: str, body: JSON, provenance: str) -> Answer:
        existing = org.integrations.get(uid)
        if body.get("settings") is None:
            return 400, {"message": "settings should not be empty"}
        if existing is None:
            return 404, {"message": "contact point not found"}
        if existing["provenance"] not in (provenance, ""):  # P9: a plain error, so a 500
            return 500, {
                "message": f"cannot change provenance from '{existing['provenance']}' "
                f"to '{provenance}'"
            }
        checked = self._checked_integration(body, existing)
        if isinstance(checked, tuple):
            return checked
        old_name = existing["name"]
        org.integrations[uid] = {**checked, "uid": uid, "provenance": provenance}
        if checked["name"] != old_name and not any(  # P8: the last of its name renamed
            i["name"] == old_name for i in org.integrations.values()
        ):
            ab.renamed_in_tree(org.policy, "receiver", old_name, checked["name"])
        return 202, {"message": "contactpoint updated"}

    def delete_contact_point(self, org: Org, uid: str) -> Answer:
        existing = org.integrations.get(uid)
        if existing is None:
            return 202, {"message": "contactpoint deleted"}  # P11: never 404
        last = not any(
            i["name"] == existing["name"] for k, i in org.integrations.items() if k != uid
        )
        if last and existing["name"] in ab.tree_names(org.policy, "receiver"):
            return ab.error(
                409,
                "alerting.notifications.contact-points.referenced",
                "Contact point is currently referenced by a notification policy.",
            )
        del org.integrations[uid]
        return 202, {"message": "contactpoint deleted"}

    def export_contact_points(self, org: Org, name: str | None) -> Answer:
        """P12, JSON form: grouped by name, secrets redacted."""
        groups: dict[str, list[JSON]] = {}
        for integration in sorted(org.integrations.values(), key=lambda i: (i["name"], i["uid"])):
            if name is None or integration["name"] == name:
                answer = self._integration_answer(org, integration)
                receiver = {k: answer[k] for k in ("uid", "type", "settings")}
                receiver["disableResolveMessage"] = answer["disableResolveMessage"]
                groups.setdefault(integration["name"], []).append(receiver)
        points = [{"orgId": org.id, "name": n, "receivers": r} for n, r in groups.items()]
        return 200, {"apiVersion": 1, "contactPoints": points}

    # --- the policy tree (P13-P18) -------------------------------------------------------

    def get_policy_tree(self, org: Org) -> Answer:
        return 200, ab.tree_answer(org.policy, org.policy_provenance, self.quirks.major)

    def put_policy_tree(self, org: Org, body: JSON, provenance: str) -> Answer:
        refused = provenance_refused(org.policy_provenance, provenance)
        if refused:
            return refused
        try:
            tree = ab.stored_tree(body)
            names = {i["name"] for i in org.integrations.values()}
            for receiver in sorted(ab.tree_names(tree, "receiver") - names):
                raise ValueError(f"receiver '{receiver}' does not exist")
            for key in ("mute_time_intervals", "active_time_intervals"):
                for interval in sorted(ab.tree_names(tree, key) - set(org.mute_timings)):
                    raise ValueError(f"mute time interval '{interval}' does not exist")
        except ValueError as exc:
            return ab.error(
                400,
                INVALID_ROUTE,
                f"Invalid format of the submitted route: {exc}. Correct the payload and try again.",
            )
        org.policy, org.policy_provenance = tree, provenance
        return 202, {"message": "policies updated"}

    def reset_policy_tree(self, org: Org) -> Answer:
        if not any(i["name"] == ab.DEFAULT_RECEIVER for i in org.integrations.values()):
            org.integrations[ab.DEFAULT_EMAIL_UID] = ab.default_email()
        org.policy, org.policy_provenance = ab.default_tree(), ""
        return 202, ab.tree_answer(org.policy, "", self.quirks.major)

    # --- mute timings (P19-P22) ----------------------------------------------------------

    @staticmethod
    def _timing_answer(timing: JSON) -> JSON:
        out = {
            "name": timing["name"],
            "time_intervals": timing["time_intervals"],
            "version": ab.fingerprint(timing["time_intervals"]),
        }
        if timing["provenance"]:
            out["provenance"] = timing["provenance"]
        return out

    def list_mute_timings(self, org: Org) -> Answer:
        return 200, [self._timing_answer(t) for _, t in sorted(org.mute_timings.items())]

    def _timing(self, org: Org, name_or_uid: str) -> JSON | None:
        if name_or_uid in org.mute_timings:
            return org.mute_timings[name_or_uid]
        return next((t for n, t in org.mute_timings.items() if name_to_uid(n) == name_or_uid), None)

    def get_mute_timing(self, org: Org, name: str) -> Answer:
        timing = self._timing(org, name)
        if timing is None:
            return 404, {"message": "mute timing not found"}
        return 200, self._timing_answer(timing)

    @staticmethod
    def _intervals(body: JSON) -> list[JSON] | Answer | None:
        try:
            return ab.normalized_intervals(body.get("time_intervals"))
        except ValueError as exc:
            return ab.error(
                400,
                "alerting.notifications.time-intervals.invalidFormat",
                f"Invalid format of the submitted time interval: {exc}. Correct the payload "
                "and try again.",
            )

    def create_mute_timing(self, org: Org, body: JSON, provenance: str) -> Answer:
        intervals = self._intervals(body)
        if isinstance(intervals, tuple):
            return intervals
        name = str(body.get("name") or "")
        if name in org.mute_timings:
            return ab.error(
                400,
                "alerting.notifications.time-intervals.nameExists",
                "Time interval with this name already exists. Use a different name or "
                "update existing one.",
            )
        org.mute_timings[name] = {
            "name": name,
            "time_intervals": intervals,
            "provenance": provenance,
        }
        return 201, self._timing_answer(org.mute_timings[name])

    def update_mute_timing(self, org: Org, path: str, body: JSON, provenance: str) -> Answer:
        timing = self._timing(org, path)
        if timing is None:
            return 404, {"message": "mute timing not found"}
        intervals = self._intervals(body)
        if isinstance(intervals, tuple):
            return intervals
        stale = self._stale(body.get("version"), ab.fingerprint(timing["time_intervals"]))
        if stale:
            return stale
        refused = provenance_refused(timing["provenance"], provenance)
        if refused:
            return refused
        name = str(body.get("name") or timing["name"])
        del org.mute_timings[timing["name"]]
        if name != timing["name"]:  # P21: a rename rewrites what refers to it
            for key in ("mute_time_intervals", "active_time_intervals"):
                ab.renamed_in_tree(org.policy, key, timing["name"], name)
        org.mute_timings[name] = {
            "name": name,
            "time_intervals": intervals,
            "provenance": provenance,
        }
        return 202, self._timing_answer(org.mute_timings[name])

    @staticmethod
    def _stale(sent: Any, current: str) -> Answer | None:
        if sent and sent != current:
            return ab.error(
                409,
                "alerting.notifications.conflict",
                f"provided version {sent} does not match current version {current}",
            )
        return None

    def delete_mute_timing(self, org: Org, name: str, version: str, provenance: str) -> Answer:
        timing = self._timing(org, name)
        if timing is None:
            return 204, None
        stale = self._stale(version, ab.fingerprint(timing["time_intervals"]))
        if stale:
            return stale
        used = ab.tree_names(org.policy, "mute_time_intervals") | ab.tree_names(
            org.policy, "active_time_intervals"
        )
        if timing["name"] in used:
            return ab.error(
                409, "alerting.notifications.time-intervals.used", "Time interval is used"
            )
        refused = provenance_refused(timing["provenance"], provenance)
        if refused:
            return refused
        del org.mute_timings[timing["name"]]
        return 204, None

    # --- templates (P23-P25) -------------------------------------------------------------

    @staticmethod
    def _template_answer(template: JSON) -> JSON:
        out = {
            "name": template["name"],
            "template": template["template"],
            "version": ab.fingerprint(template["template"]),
        }
        if template["provenance"]:
            out["provenance"] = template["provenance"]
        return out

    def list_templates(self, org: Org) -> Answer:
        return 200, [self._template_answer(t) for _, t in sorted(org.templates.items())]

    def _template(self, org: Org, name_or_uid: str) -> JSON | None:
        if name_or_uid in org.templates:
            return org.templates[name_or_uid]
        return next(
            (t for n, t in org.templates.items() if name_to_uid("grafana|" + n) == name_or_uid),
            None,
        )

    def get_template(self, org: Org, name: str) -> Answer:
        template = self._template(org, name)
        if template is None:
            return 404, {"message": "template not found"}
        return 200, self._template_answer(template)

    def put_template(self, org: Org, name: str, body: JSON, provenance: str) -> Answer:
        text = ab.normalized_template(name, str(body.get("template") or ""))
        problem = ab.template_problem(text)
        if problem or not text:
            return ab.error(
                400,
                "alerting.notifications.templates.invalidFormat",
                "Template is in invalid format. Correct the payload and try again.",
            )
        existing = self._template(org, name)
        if existing is None and body.get("version"):
            return 404, {"message": "template not found"}
        if existing is not None:
            stale = self._stale(body.get("version"), ab.fingerprint(existing["template"]))
            refused = stale or provenance_refused(existing["provenance"], provenance)
            if refused:
                return refused
        org.templates[name] = {"name": name, "template": text, "provenance": provenance}
        return 202, self._template_answer(org.templates[name])

    def delete_template(self, org: Org, name: str, version: str, provenance: str) -> Answer:
        template = self._template(org, name)
        if template is None:
            return 204, None
        refused = self._stale(version, ab.fingerprint(template["template"])) or provenance_refused(
            template["provenance"], provenance
        )
        if refused:
            return refused
        del org.templates[template["name"]]
        return 204, None
