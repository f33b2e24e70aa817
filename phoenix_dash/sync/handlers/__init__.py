"""One handler per kind of resource: its key, how it is normalised, read, written and deleted.

A resource whose live content is not what phoenix-dash last wrote was edited by someone else:
a conflict, which sync leaves alone unless --force.

Dashboards and folders have two handlers each, one per API: the legacy API (``/api``) and
Grafana's resource APIs (``/apis``, Grafana 12 and 13); which one a plan uses depends on what
the server serves (``grafana.resources.choose_api``). Datasources and alert rules have no
stable resource API yet and always use the legacy one.
"""

from __future__ import annotations

from ...grafana.resources import ResourceAPI
from ..ledger import Ledger
from ..target import Target
from .alert_group import AlertGroupHandler
from .base import Handler
from .dashboard import DashboardHandler
from .dashboard_api import DashboardResourceHandler, DashboardV2ResourceHandler
from .datasource import DatasourceHandler, normalize_datasource
from .folder import FolderHandler
from .folder_api import FolderResourceHandler
from .library_panel import LibraryPanelHandler
from .notification_kinds import ContactPointHandler, MuteTimingHandler, TemplateHandler
from .policy import PolicyHandler
from .routing_tree import RoutingTreeHandler


def handlers_for(api: ResourceAPI | None, target: Target) -> list[Handler]:
    """Fresh handlers for one plan, in dependency order: folders and datasources before what
    lives in or queries them, templates and mute timings before the contact points and the
    policy route that use them. Schema v2 dashboards exist only on the resource APIs. The
    notification handlers share the project's ledger (ledger.py)."""
    folders: Handler = FolderHandler()
    dashboards: Handler = DashboardHandler()
    if api is not None:
        folders = FolderResourceHandler(api, folders)
        if target.dashboard_schema == "v2":
            dashboards = DashboardV2ResourceHandler(api.for_schema_v2(), dashboards)
        else:
            dashboards = DashboardResourceHandler(api, dashboards)
    ledger = Ledger(target.managed_tag, target.notifications_editable)
    return [
        folders,
        DatasourceHandler(),
        TemplateHandler(ledger),
        MuteTimingHandler(ledger),
        ContactPointHandler(ledger),
        RoutingTreeHandler(ledger),
        PolicyHandler(ledger),
        LibraryPanelHandler(),
        dashboards,
        AlertGroupHandler(),
    ]


__all__ = [
    "AlertGroupHandler",
    "DashboardHandler",
    "DatasourceHandler",
    "FolderHandler",
    "Handler",
    "handlers_for",
    "normalize_datasource",
]
