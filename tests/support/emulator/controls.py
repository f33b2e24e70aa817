"""What tests do to the emulated Grafana besides calling its API: a person's edits in the UI,
and what other tools put there (file provisioning, plugins, Grafana 13's editor)."""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable

from .behaviour import Quirks
from .model import JSON
from .state import State


class ReadOnlyInUI(Exception):
    """The UI offers no save: a manager other than Git Sync owns the resource and does not
    allow edits (isManagedResourceReadOnly, public/app/features/apiserver)."""


def read_only_in_ui(annotations: dict[str, str]) -> bool:
    kind = annotations.get("grafana.app/managedBy", "")
    managed = bool(annotations.get("grafana.app/managerId"))
    allows = annotations.get("grafana.app/managerAllowsEdits") == "true"
    return managed and kind != "repo" and not allows


class Controls:
    state: State
    quirks: Quirks
    _lock: threading.RLock

    def ui_edit(
        self, uid: str, change: Callable[[JSON], None], user: str = "alice", org_id: int = 1
    ) -> int:
        """A person saves the dashboard in the UI: a new version with an empty message. The
        UI of Grafana 12+ saves through the resource API: the annotations it loaded are sent
        back, marked ``grafana.app/saved-from-ui``; it offers no save when the dashboard's
        manager does not allow edits (``ReadOnlyInUI``)."""
        with self._lock:
            org = self.state.org(org_id)
            dashboard = org.dashboards[uid]
            if read_only_in_ui(dashboard.annotations):
                raise ReadOnlyInUI(uid)
            if dashboard.v2_spec is not None:  # saved in the schema it is stored in
                spec = copy.deepcopy(dashboard.v2_spec)
                change(spec)
                dashboard.v2_spec = spec
                data = {"title": spec.get("title"), "tags": spec.get("tags", [])}
            else:
                data = copy.deepcopy(dashboard.current.data)
                change(data)
            dashboard.annotations = {
                **dashboard.annotations,
                "grafana.app/saved-from-ui": self.quirks.version,
            }
            return self.state.store_version(org, dashboard, data, user, "")

    def ui_edit_folder(self, uid: str, title: str, user: str = "alice", org_id: int = 1) -> None:
        """A person renames the folder in the UI (through the resource API, as above)."""
        with self._lock:
            folder = self.state.org(org_id).folders[uid]
            if read_only_in_ui(folder.annotations):
                raise ReadOnlyInUI(uid)
            folder.title = title
            folder.annotations = {
                **folder.annotations,
                "grafana.app/saved-from-ui": self.quirks.version,
            }
            self.state.folder_changed(folder, user)

    def manage(self, record: str, uid: str, kind: str, identity: str, org_id: int = 1) -> None:
        """Another tool manages the ``record`` ("dashboard" or "folder"): Terraform
        (``terraform``), Git Sync (``repo``), grafanactl (``kubectl``)."""
        with self._lock:
            self.state.manage(self.state.org(org_id), record, uid, kind, identity)

    def ui_edit_rule(self, uid: str, change: Callable[[JSON], None], org_id: int = 1) -> None:
        """A person edits an (editable) alert rule in the UI: annotations are kept."""
        with self._lock:
            change(self.state.org(org_id).rules[uid])

    def ui_edit_datasource(self, uid: str, change: Callable[[JSON], None], org_id: int = 1) -> None:
        """A person saves the datasource's settings page: the whole record, version + 1."""
        with self._lock:
            record = self.state.org(org_id).datasources[uid]
            change(record)
            record["version"] += 1

    def provision_dashboard(
        self,
        dashboard: JSON,
        folder_uid: str = "",
        path: str | None = None,
        plugin: str | None = None,
        org_id: int = 1,
    ) -> None:
        with self._lock:
            self.state.provision_dashboard(
                self.state.org(org_id), copy.deepcopy(dashboard), folder_uid, path, plugin
            )

    def provision_datasource(self, body: JSON, org_id: int = 1) -> None:
        """A datasource from file provisioning: read-only through the API (S1)."""
        with self._lock:
            self.state.add_datasource(self.state.org(org_id), copy.deepcopy(body), read_only=True)

    def provision_rule_group(
        self,
        folder_uid: str,
        group: str,
        rules: list[JSON],
        provenance: str = "file",
        org_id: int = 1,
    ) -> None:
        with self._lock:
            self.state.provision_rule_group(
                self.state.org(org_id), folder_uid, group, copy.deepcopy(rules), provenance
            )

    def store_as_v2(self, uid: str, user: str = "alice", org_id: int = 1) -> None:
        with self._lock:
            self.state.store_as_v2(self.state.org(org_id), uid, user)
