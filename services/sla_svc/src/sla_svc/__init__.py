"""sla_svc."""
