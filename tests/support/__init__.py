"""What tests and benchmarks share: the Grafana emulator and a client for it, project
builders, the oracles (Grafana schemas, real-world dashboards) and where to find them."""
