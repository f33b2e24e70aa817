"""Alert rules: grafanalib's AlertGroup/AlertRulev9 in; Grafana's provisioning API JSON,
Grafana's file provisioning YAML and a Prometheus rule file out, all from one model."""
