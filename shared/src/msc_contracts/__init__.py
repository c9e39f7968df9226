"""The MSC public event contract: CloudEvents models and Kafka topic names."""
