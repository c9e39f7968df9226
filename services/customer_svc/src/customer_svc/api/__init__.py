"""HTTP API of the customer service (the gateway forwards the portal's Summary calls here)."""
