"""Settings of the customer service, read from the environment (CONTRACT.md section 1)."""

from __future__ import annotations

from typing import Annotated

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import NoDecode

from msc_platform.settings import InfrastructureSettings

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
"""The storage regions a service plan may name unless `MSC_STORAGE_REGIONS` says otherwise,
in the order to offer them (`GET /api/v1/storage-regions` answers them)."""


class Settings(InfrastructureSettings):
    """Everything the customer service reads from its environment."""

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

    @field_validator("storage_regions", mode="before")
    @classmethod
    def _split_regions(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(r.strip() for r in value.split(",") if r.strip())
        return value
