"""A synthetic Phoenix Orchestrator exporter for tests, demos and the local preview."""
