"""Settings of the gateway, read from the environment (CONTRACT.md section 1)."""

from __future__ import annotations

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from msc_platform.http import MAX_BODY_BYTES

PLACEHOLDER_SECRETS = frozenset(
    {
        "",
        "secret",
        "changeme",
        "change-me",
        "change_me",
        "dev",
        "test",
        "placeholder",
        "your-secret",
        "jwt-secret",
        "msc",
        "password",
    }
)
MIN_SECRET_LENGTH = 32


class Settings(BaseSettings):
    """Everything the gateway reads from its environment."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    port: int = Field(
        default=8080, validation_alias=AliasChoices("GATEWAY_PORT"), description="HTTP port."
    )
    jwt_secret: SecretStr = Field(
        default=SecretStr(""),
        validation_alias=AliasChoices("MSC_JWT_SECRET"),
        description="HS256 key that signs portal tokens.",
    )
    dev_mode: bool = Field(
        default=False,
        validation_alias=AliasChoices("MSC_DEV_MODE"),
        description="Accept a weak secret and print an msp_admin token (make run only).",
    )
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
    max_request_body_bytes: int = Field(
        default=MAX_BODY_BYTES,
        ge=1024,
        validation_alias=AliasChoices("MAX_REQUEST_BODY_BYTES"),
        description="Largest request body accepted; a larger one is answered 413 unread.",
    )
    log_level: str = Field(default="INFO", description="Python log level.")

    @model_validator(mode="after")
    def _secret_is_safe(self) -> Settings:
        secret = self.jwt_secret.get_secret_value()
        weak = secret.strip().lower() in PLACEHOLDER_SECRETS or len(secret) < MIN_SECRET_LENGTH
        if weak and not self.dev_mode:
            raise ValueError(
                "MSC_JWT_SECRET is missing, a placeholder or shorter than "
                f"{MIN_SECRET_LENGTH} characters; set a random one "
                "(e.g. `openssl rand -hex 32`) or MSC_DEV_MODE=1 for a local trial"
            )
        return self
