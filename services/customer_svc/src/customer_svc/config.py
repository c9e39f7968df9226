"""Settings of the customer service, read from the environment (CONTRACT.md section 1)."""

from __future__ import annotations

from typing import Annotated

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_REGIONS = (
    "us-east-1",
    "us-west-2",
    "ca-central-1",
    "eu-west-1",
    "eu-central-1",
    "ap-south-1",
    "ap-southeast-2",
    "ap-northeast-1",
)


class Settings(BaseSettings):
    """Everything the customer service reads from its environment."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    port: int = Field(
        default=8081,
        validation_alias=AliasChoices("CUSTOMER_SVC_PORT"),
        description="HTTP port.",
    )
    kafka_bootstrap_servers: str = Field(
        default="127.0.0.1:9092", description="Kafka bootstrap servers, comma-separated."
    )
    mongodb_url: SecretStr = Field(
        default=SecretStr("mongodb://127.0.0.1:27017"),
        description="MongoDB connection string (may carry credentials).",
    )
    mongodb_database: str = Field(
        default="msc_customers",
        validation_alias=AliasChoices("CUSTOMER_SVC_MONGODB_DATABASE"),
        description="Database holding customers, revisions and usage.",
    )
    storage_regions: Annotated[tuple[str, ...], NoDecode] = Field(
        default=DEFAULT_REGIONS,
        validation_alias=AliasChoices("MSC_STORAGE_REGIONS"),
        description="Allowed storage regions, comma-separated.",
    )
    consumer_group: str = Field(
        default="customer-svc",
        validation_alias=AliasChoices("CUSTOMER_SVC_CONSUMER_GROUP"),
        description="Kafka consumer group of the usage consumer.",
    )
    log_level: str = Field(default="INFO", description="Python log level.")

    @field_validator("storage_regions", mode="before")
    @classmethod
    def _split_regions(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(r.strip() for r in value.split(",") if r.strip())
        return value
