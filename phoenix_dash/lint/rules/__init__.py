"""The lint rules, one module per rule id prefix; importing this package registers them
all."""

from . import (
    alert,
    catalog,
    dashboard,
    datasource,
    group,
    logql,
    notifications,
    panel,
    promql,
    template,
)

__all__ = [
    "alert",
    "catalog",
    "dashboard",
    "datasource",
    "group",
    "logql",
    "notifications",
    "panel",
    "promql",
    "template",
]
