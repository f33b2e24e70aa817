"""The Phoenix Orchestrator's alert rules (grafanalib alerting classes; thresholds in YAML)."""
