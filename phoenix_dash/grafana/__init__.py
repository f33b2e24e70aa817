"""Talking to Grafana: settings and credentials, the connection (grafana-client underneath),
errors as our own types, and the `ping` report."""
