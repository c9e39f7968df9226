"""Settings every consuming service reads: where Kafka and MongoDB are, and how loud to log."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class InfrastructureSettings(BaseSettings):
    """`KAFKA_BOOTSTRAP_SERVERS`, `MONGODB_URL` and `LOG_LEVEL` (CONTRACT.md section 1)."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    kafka_bootstrap_servers: str = Field(
        default="127.0.0.1:9092", description="Kafka bootstrap servers, comma-separated."
    )
    mongodb_url: SecretStr = Field(
        default=SecretStr("mongodb://127.0.0.1:27017"),
        description="MongoDB connection string (may carry credentials).",
    )
    log_level: str = Field(default="INFO", description="Python log level.")
