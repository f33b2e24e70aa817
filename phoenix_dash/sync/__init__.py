"""sync and diff: one plan (create, update, delete, unchanged, conflict per resource) computed
from the build and the live Grafana, then applied as a separate, simple step."""
