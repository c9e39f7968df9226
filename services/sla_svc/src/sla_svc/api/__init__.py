"""HTTP API of the SLA service (the gateway composes it into the details view)."""
