"""Helpers shared by the test suites: Kafka publishing and reading, polling."""
