"""Settings every consuming service reads: where Kafka and MongoDB are, and how loud to log."""

from __future__ import annotations

from typing import Literal

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

DEFAULT_MAX_MESSAGE_BYTES = 1_048_576
"""Kafka's own limit: the producer's `max_request_size` default (the broker's
`message.max.bytes` default is 12 bytes more)."""
MIN_MESSAGE_BYTES = 4096
"""Smallest limit a dead letter still fits into (its coordinates, reason and headers)."""


class KafkaSettings(BaseSettings):
    """Where Kafka is (`KAFKA_BOOTSTRAP_SERVERS`) and the largest record its topics take
    (`KAFKA_MAX_MESSAGE_BYTES`): what the services and the topic creation both read."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    kafka_bootstrap_servers: str = Field(
        default="127.0.0.1:9092", description="Kafka bootstrap servers, comma-separated."
    )
    kafka_max_message_bytes: int = Field(
        default=DEFAULT_MAX_MESSAGE_BYTES,
        ge=MIN_MESSAGE_BYTES,
        description="Largest record the topics accept: the `max.message.bytes` the topics "
        "are created with and the producer's `max_request_size`. Dead letters are cut to "
        "fit it (less 1 KiB for headers and record overhead); set it to the smallest of "
        "your broker's `message.max.bytes` and the topics' `max.message.bytes`.",
    )


class ServiceSettings(BaseSettings):
    """What every service reads, the gateway included: `MSC_JWT_SECRET` (the HS256 key of
    portal tokens and of the gateway's service token, refused when weak outside dev mode),
    how to log, and the request body limit."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    jwt_secret: SecretStr = Field(
        default=SecretStr(""),
        validation_alias=AliasChoices("MSC_JWT_SECRET"),
        description="HS256 key that signs portal tokens and the gateway's service token.",
    )
    log_format: Literal["auto", "json", "text"] = Field(
        default="auto",
        validation_alias=AliasChoices("LOG_FORMAT"),
        description="`json` lines for a log collector, `text` for a person; `auto`: text on "
        "a terminal, else JSON.",
    )
    dev_mode: bool = Field(
        default=False,
        validation_alias=AliasChoices("MSC_DEV_MODE"),
        description="Accept a weak secret (make run only, which prints an msp_admin token).",
    )
    log_level: str = Field(default="INFO", description="Python log level.")
    max_request_body_bytes: int = Field(
        default=MAX_BODY_BYTES,
        ge=1024,
        validation_alias=AliasChoices("MAX_REQUEST_BODY_BYTES"),
        description="Largest request body accepted; a larger one is answered 413 unread.",
    )

    @model_validator(mode="after")
    def _secret_is_safe(self) -> ServiceSettings:
        secret = self.jwt_secret.get_secret_value()
        weak = secret.strip().lower() in PLACEHOLDER_SECRETS or len(secret) < MIN_SECRET_LENGTH
        if weak and not self.dev_mode:
            raise ValueError(
                "MSC_JWT_SECRET is missing, a placeholder or shorter than "
                f"{MIN_SECRET_LENGTH} characters; set a random one "
                "(e.g. `openssl rand -hex 32`) or MSC_DEV_MODE=1 for a local trial"
            )
        return self


class InfrastructureSettings(ServiceSettings, KafkaSettings):
    """What a service with a database and consumers reads besides: Kafka (`KafkaSettings`),
    `MONGODB_URL` (CONTRACT.md section 1), and how the consumers watch the topics and
    themselves (`KAFKA_METADATA_MAX_AGE_MS`, `CONSUMER_STALL_AFTER_S`)."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    mongodb_url: SecretStr = Field(
        default=SecretStr("mongodb://127.0.0.1:27017"),
        description="MongoDB connection string (may carry credentials).",
    )
    kafka_metadata_max_age_ms: int = Field(
        default=60_000,
        ge=1000,
        description="How often the consumers refresh topic metadata, and so how soon they "
        "take up partitions added to a topic (Kafka's default is 5 minutes).",
    )
    consumer_stall_after_s: float = Field(
        default=60.0,
        gt=0,
        description="A consumer with records waiting that settles no batch for this long is "
        "stalled: `/readyz` fails and `msc_consumer_stalls_total` counts it.",
    )
