"""Settings of the SLA service, read from the environment (CONTRACT.md section 1)."""

from __future__ import annotations

from pydantic import AliasChoices, Field

from msc_platform.settings import InfrastructureSettings


class Settings(InfrastructureSettings):
    """Everything the SLA service reads from its environment."""

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
    read_cache_customers: int = Field(
        default=256,
        ge=0,
        validation_alias=AliasChoices("SLA_SVC_READ_CACHE_CUSTOMERS"),
        description="Customers whose figures are kept in memory, as this instance last "
        "wrote or read them, each while it is unchanged (0: none).",
    )
    read_cache_recheck_ms: int = Field(
        default=1000,
        ge=0,
        le=60_000,
        validation_alias=AliasChoices("SLA_SVC_READ_CACHE_RECHECK_MS"),
        description="How long a kept customer is answered without asking the database "
        "whether another instance changed it (0: ask on every read). What this process "
        "saves or deletes shows at once.",
    )
