"""The Phoenix Orchestrator's dashboards, one module each; ``_phoenix`` holds the conventions."""
