"""Monitoring adapter: `/metrics` (Prometheus, gated like mod_xml_curl's endpoint), `/healthz` and
`/readyz` (for a load balancer or systemd), and `flask health` (stale workers, for cron or an alert)."""
from monitoring.views import bp, register_cli

__all__ = ["bp", "register_cli"]
