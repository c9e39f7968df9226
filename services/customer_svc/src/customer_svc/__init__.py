"""customer_svc."""
