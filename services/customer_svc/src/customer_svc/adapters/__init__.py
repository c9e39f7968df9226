"""Adapters of the customer service's ports: MongoDB storage and the Kafka event relay."""
