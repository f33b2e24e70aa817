"""The layer between grafanalib and Grafana 12: from schemaVersion 12 to 42.

Its names are loaded when first used (PEP 562): a command that only reads build/ (sync from
the committed build) imports ``modern.common``'s types without the whole layer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .dashboard import SCHEMA_VERSION, ModernizeContext, modernize_dashboard

__all__ = ["SCHEMA_VERSION", "ModernizeContext", "modernize_dashboard"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import dashboard

        return getattr(dashboard, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
