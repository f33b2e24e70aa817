"""Alert rules through the provisioning API, with what a real Grafana does to them (R1-R8 of
BEHAVIOR.md): defaults added on save and read, durations rewritten, provenance kept apart from
the rule and only written for rules a group PUT actually changes."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from .behaviour import (
    Quirks,
    can_update_provenance_in_group,
    dashboard_panel_annotations_error,
    parse_duration,
    provenance_mismatch,
    rule_answer,
    rule_changed,
    stored_rule,
)
from .jsoncopy import json_copy
from .model import JSON, UID_RE, Answer, Org, now

if TYPE_CHECKING:
    import itertools


class RulesMixin:
    quirks: Quirks
    _ids: itertools.count[int]

    def rule_error(self, org: Org, rule: JSON) -> str | None:
        for key in ("title", "condition", "data"):
            if not rule.get(key):
                return f"invalid alert rule: {key} is required"
        if rule.get("folderUID") not in org.folders:
            return f"invalid alert rule: folder does not exist: {rule.get('folderUID')}"
        if not isinstance(rule.get("for"), str) or parse_duration(rule["for"]) is None:
            return f"invalid alert rule: invalid duration {rule.get('for')!r}"
        refs = {q.get("refId") for q in rule["data"]}
        if rule["condition"] not in refs:
            return (
                f"invalid alert rule: condition {rule['condition']} does not exist, must be "
                f"one of {sorted(refs)}"
            )
        uid = rule.get("uid") or ""
        if not UID_RE.match(uid) or len(uid) > 40:
            return "invalid alert rule: cannot have invalid UID"
        resolve = rule.get("missing_series_evals_to_resolve")
        if resolve is not None and "P29" in self.quirks and int(resolve) <= 0:
            return (
                "invalid alert rule: field `missing_series_evals_to_resolve` must be greater than 0"
            )
        if "R7" in self.quirks:
            return dashboard_panel_annotations_error(rule)
        return None

    def list_rules(self, org: Org) -> Answer:
        return 200, [rule_answer(r, self.quirks) for r in org.rules.values()]

    def get_rule(self, org: Org, uid: str) -> Answer:
        found = org.rules.get(uid)
        return (200, rule_answer(found, self.quirks)) if found else (404, None)

    def write_rule(self, org: Org, rule: JSON, provenance: str, create: bool) -> Answer:
        rule = json_copy(rule)
        rule.setdefault("uid", secrets.token_hex(7))
        error = self.rule_error(org, rule)
        if error:
            return 400, {"message": error}
        existing = org.rules.get(rule["uid"])
        if create and existing is not None:
            return 400, {"message": "invalid alert rule: a rule with this UID already exists"}
        if not create and existing is None:
            return 404, None
        stored = existing.get("provenance", "") if existing else ""
        if existing is not None and stored not in (provenance, "") and "R8" in self.quirks:
            return 409, provenance_mismatch("update", provenance, stored)
        rule = stored_rule(rule, self.quirks)
        rule.update(
            id=existing["id"] if existing else next(self._ids),
            orgID=org.id,
            updated=now(),
            provenance=provenance,
            __interval=existing.get("__interval", 60) if existing else 60,
        )
        org.rules[rule["uid"]] = rule
        return (201 if create else 200), rule_answer(rule, self.quirks)

    def delete_rule(self, org: Org, uid: str, provenance: str) -> Answer:
        existing = org.rules.get(uid)
        if existing is None:
            return 404, None
        stored = existing.get("provenance", "")
        if stored not in (provenance, "") and "R8" in self.quirks:
            return 409, provenance_mismatch("delete", provenance, stored)
        del org.rules[uid]
        return 204, None

    def rule_group(self, org: Org, folder_uid: str, group: str) -> Answer:
        rules = self._group_rules(org, folder_uid, group)
        if not rules:
            return 404, {"message": "rule group not found under this folder"}
        return 200, {
            "title": group,
            "folderUid": folder_uid,
            "interval": rules[0].get("__interval", 60),
            "rules": [rule_answer(r, self.quirks, with_provenance=False) for r in rules],
        }

    @staticmethod
    def _group_rules(org: Org, folder_uid: str, group: str) -> list[JSON]:
        return [
            r
            for r in org.rules.values()
            if r["folderUID"] == folder_uid and r["ruleGroup"] == group
        ]

    def put_rule_group(
        self, org: Org, folder_uid: str, group: str, body: JSON, provenance: str
    ) -> Answer:
        """ReplaceRuleGroup: the delta decides what is written (R5), provenance may change only
        as CanUpdateProvenanceInRuleGroup allows (R8)."""
        if folder_uid not in org.folders:
            return 400, {"message": f"invalid alert rule: folder does not exist: {folder_uid}"}
        interval = int(body.get("interval") or 60)
        if body.get("rules") is None and "P26" in self.quirks:  # only the interval changes
            for rule in self._group_rules(org, folder_uid, group):
                rule["__interval"] = interval
            return 200, {**body, "folderUid": folder_uid, "title": group}
        incoming = []
        for rule in body.get("rules") or []:
            rule = {**json_copy(rule), "folderUID": folder_uid, "ruleGroup": group}
            rule.setdefault("uid", secrets.token_hex(7))
            error = self.rule_error(org, rule)
            if error:
                return 400, {"message": error}
            incoming.append({**stored_rule(rule, self.quirks), "__interval": interval})
        keep = {r["uid"] for r in incoming}
        deleted = [r for r in self._group_rules(org, folder_uid, group) if r["uid"] not in keep]
        changed = [
            r
            for r in incoming
            if r["uid"] not in org.rules
            or rule_changed(org.rules[r["uid"]], r)
            or "R5" not in self.quirks
        ]
        for rule in changed:  # P28: only new or changed rules' settings are validated
            problem = self.notification_settings_error(org, rule) if "P28" in self.quirks else None
            if problem:
                return 400, {"message": f"invalid alert rule: {problem}"}
        for operation, rules in (("delete", deleted), ("update", changed)):
            for rule in rules:
                stored = org.rules.get(rule["uid"], {}).get("provenance", "")
                if not can_update_provenance_in_group(stored, provenance) and "R8" in self.quirks:
                    return 409, provenance_mismatch(operation, provenance, stored)
        for rule in deleted:
            del org.rules[rule["uid"]]
        for rule in changed:
            existing = org.rules.get(rule["uid"])
            rule.update(
                id=existing["id"] if existing else next(self._ids),
                orgID=org.id,
                updated=now(),
                provenance=provenance,
            )
            org.rules[rule["uid"]] = rule
        if "P27" in self.quirks:  # the request echoed, not what was stored
            return 200, {**body, "folderUid": folder_uid, "title": group}
        if incoming:
            return self.rule_group(org, folder_uid, group)
        return 200, {"title": group, "folderUid": folder_uid, "interval": interval, "rules": []}

    @staticmethod
    def notification_settings_error(org: Org, rule: JSON) -> str | None:
        """staticValidator.Validate of a rule's simplified routing (P28)."""
        settings = rule.get("notification_settings")
        if not settings:
            return None
        receiver = settings.get("receiver")
        if not receiver:
            return "receiver must be specified"
        if receiver not in {i["name"] for i in org.integrations.values()}:
            return f"receiver {receiver} does not exist"
        for key in ("mute_time_intervals", "active_time_intervals"):
            for name in settings.get(key) or []:
                if name not in org.mute_timings:
                    return f"time interval {name} does not exist"
        wait = settings.get("group_wait")
        if wait is not None and (parse_duration(str(wait)) or 0) <= 0:
            return "group wait must be a positive duration"
        for key, shown in (
            ("group_interval", "group interval"),
            ("repeat_interval", "repeat interval"),
        ):
            value = settings.get(key)
            if value is not None and (parse_duration(str(value)) or 0) <= 0:
                return f"{shown} must be greater than zero"
        return None

    def delete_rule_group(self, org: Org, folder_uid: str, group: str, provenance: str) -> Answer:
        rules = self._group_rules(org, folder_uid, group)
        for rule in rules:
            stored = rule.get("provenance", "")
            if not can_update_provenance_in_group(stored, provenance) and "R8" in self.quirks:
                return 409, provenance_mismatch("delete", provenance, stored)
        for rule in rules:
            del org.rules[rule["uid"]]
        return 204, None

    def provision_rule_group(
        self,
        org: Org,
        folder_uid: str,
        group: str,
        rules: list[JSON],
        provenance: str = "file",
        interval: int = 60,
    ) -> None:
        """Fixture: a group written by file provisioning (or another tool's provenance)."""
        for rule in rules:
            rule = stored_rule({**rule, "folderUID": folder_uid, "ruleGroup": group}, self.quirks)
            rule.update(
                id=next(self._ids),
                orgID=org.id,
                updated=now(),
                provenance=provenance,
                __interval=interval,
            )
            org.rules[rule["uid"]] = rule
