"""phoenix-dash: dashboards and alerts as code, grafanalib in, modern Grafana JSON out."""

__all__ = ["__version__"]

try:  # written by setuptools-scm when phoenix-dash is installed or built (pyproject.toml)
    from ._version import version as __version__
except ImportError:  # the source, never installed
    __version__ = "0.0.0+unknown"
