"""Settings of the SLA service, read from the environment (CONTRACT.md section 1)."""

from __future__ import annotations

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything the SLA service reads from its environment."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    port: int = Field(
        default=8082, validation_alias=AliasChoices("SLA_SVC_PORT"), description="HTTP port."
    )
    kafka_bootstrap_servers: str = Field(
        default="127.0.0.1:9092", description="Kafka bootstrap servers, comma-separated."
    )
    mongodb_url: SecretStr = Field(
        default=SecretStr("mongodb://127.0.0.1:27017"),
        description="MongoDB connection string (may carry credentials).",
    )
    mongodb_database: str = Field(
        default="msc_sla",
        validation_alias=AliasChoices("SLA_SVC_MONGODB_DATABASE"),
        description="Database holding SLA states and figures.",
    )
    consumer_group: str = Field(
        default="sla-svc",
        validation_alias=AliasChoices("SLA_SVC_CONSUMER_GROUP"),
        description="Kafka consumer group shared by all sla_svc instances.",
    )
    batch_size: int = Field(
        default=2000,
        ge=1,
        le=10_000,
        validation_alias=AliasChoices("SLA_SVC_BATCH_SIZE"),
        description="Most events applied in one batch; larger batches write each customer's "
        "figures once for more events.",
    )
    log_level: str = Field(default="INFO", description="Python log level.")
