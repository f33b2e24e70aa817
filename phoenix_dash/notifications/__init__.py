"""Notifications as code: who an alert reaches. This package starts with the routing engine
(``routing``): the answer Alertmanager gives, and Grafana's Alertmanager with it, to "which
receivers get an alert with these labels", checked against ``amtool config routes test``."""
