"""One handler per kind of resource: its key, how it is normalised, read, written and deleted.

A resource whose live content is not what phoenix-dash last wrote was edited by someone else:
a conflict, which sync leaves alone unless --force.
"""

from .alert_group import AlertGroupHandler
from .base import Handler
from .dashboard import DashboardHandler
from .datasource import DatasourceHandler, normalize_datasource
from .folder import FolderHandler

# In dependency order: folders and datasources before what lives in or queries them.
HANDLERS: list[Handler] = [
    FolderHandler(),
    DatasourceHandler(),
    DashboardHandler(),
    AlertGroupHandler(),
]

__all__ = [
    "HANDLERS",
    "AlertGroupHandler",
    "DashboardHandler",
    "DatasourceHandler",
    "FolderHandler",
    "Handler",
    "normalize_datasource",
]
