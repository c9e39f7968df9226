"""Adapters of the SLA service's ports: MongoDB storage."""
