"""Settings of the gateway, read from the environment (CONTRACT.md section 1)."""

from __future__ import annotations

from pydantic import AliasChoices, Field
from pydantic_settings import SettingsConfigDict

from msc_platform.settings import ServiceSettings


class Settings(ServiceSettings):
    """Everything the gateway reads from its environment."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    customer_svc_url: str = Field(
        default="http://127.0.0.1:8081",
        validation_alias=AliasChoices("CUSTOMER_SVC_URL"),
        description="Base URL of customer_svc.",
    )
    sla_svc_url: str = Field(
        default="http://127.0.0.1:8082",
        validation_alias=AliasChoices("SLA_SVC_URL"),
        description="Base URL of sla_svc.",
    )
    customer_timeout_s: float = Field(
        default=5.0,
        gt=0,
        validation_alias=AliasChoices("GATEWAY_CUSTOMER_TIMEOUT_S"),
        description="How long to wait for customer_svc.",
    )
    sla_timeout_s: float = Field(
        default=1.5,
        gt=0,
        validation_alias=AliasChoices("GATEWAY_SLA_TIMEOUT_S"),
        description="How long the details view waits for sla_svc before answering without it.",
    )
