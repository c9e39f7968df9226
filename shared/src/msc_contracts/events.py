"""CloudEvents 1.0 models of every event type in the contract, one `data` model per type."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Annotated, Any, Final, Generic, Literal, TypeVar

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    model_validator,
)

from msc_contracts import topics
from msc_contracts.bounds import MAX_BYTES, MAX_CREDITS
from msc_contracts.fields import (
    AccountName,
    CustomerName,
    Edition,
    Id,
    IsoDate,
    Name,
    PlanName,
    Region,
    TenantType,
    Text,
)
from msc_contracts.ids import EntityId
from msc_contracts.vocabulary import TERMINAL_JOB_STATUSES, JobStatus, JobType, Severity

# Limits of what an event may carry (CONTRACT.md section 4, `msc_contracts.bounds`):
# anything outside them breaks the schema and is dead-lettered, so that an accepted event
# can always be stored and shown.
MAX_EVENT_BYTES: Final = 64 * 1024
"""Largest message value decoded; a larger one is dead-lettered unread."""
EARLIEST_INSTANT: Final = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
"""No timestamp of an event may lie before this."""
CLOCK_SKEW: Final = dt.timedelta(days=1)
"""How far past the consumer's clock a timestamp may lie (agents' clocks drift)."""


def _now(info: ValidationInfo) -> dt.datetime:
    context = info.context if isinstance(info.context, dict) else {}
    now = context.get("now")
    return now if isinstance(now, dt.datetime) else dt.datetime.now(dt.UTC)


def _plausible_instant(value: dt.datetime, info: ValidationInfo) -> dt.datetime:
    latest = _now(info) + CLOCK_SKEW
    if not EARLIEST_INSTANT <= value <= latest:
        raise ValueError(
            f"must lie between {EARLIEST_INSTANT:%Y-%m-%d} and now + {CLOCK_SKEW.days} day"
        )
    return value


def _plausible_date(value: dt.date, info: ValidationInfo) -> dt.date:
    latest = (_now(info) + CLOCK_SKEW).date()
    if not EARLIEST_INSTANT.date() <= value <= latest:
        raise ValueError(
            f"must lie between {EARLIEST_INSTANT:%Y-%m-%d} and today + {CLOCK_SKEW.days} day"
        )
    return value


Instant = Annotated[AwareDatetime, AfterValidator(_plausible_instant)]
"""An RFC 3339 timestamp with an offset, from 2000-01-01 to a day past the consumer's clock."""
Day = Annotated[dt.date, AfterValidator(_plausible_date)]
"""A UTC day, `YYYY-MM-DD`, in the same range as an `Instant`."""


class EventData(BaseModel):
    """Base of every `data` payload: unknown fields are tolerated (the contract only grows)."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class BackupJobReported(EventData):
    """`com.msc.backup.job.v1`: a snapshot of a backup or restore job at the event's `time`."""

    job_id: Id = Field(description="Job identifier, unique per customer.")
    backup_set_id: Id = Field(description="Backup set the job belongs to.")
    job_type: JobType = Field(description="`backup` or `restore`.")
    status: JobStatus = Field(description="Job status; the last four values are terminal.")
    started_at: Instant | None = Field(default=None, description="When the job started.")
    ended_at: Instant | None = Field(
        default=None, description="When the job ended; required when the status is terminal."
    )
    bytes_transferred: int = Field(
        default=0, ge=0, le=MAX_BYTES, description="Bytes moved by the job so far."
    )
    error_code: Name | None = Field(default=None, description="Agent error code, if any.")
    error_message: Text | None = Field(default=None, description="Agent error text, if any.")

    @model_validator(mode="after")
    def _terminal_jobs_have_ended(self) -> BackupJobReported:
        if self.status in TERMINAL_JOB_STATUSES and self.ended_at is None:
            raise ValueError(f"ended_at is required when status is {self.status}")
        return self


class BackupSetUpserted(EventData):
    """`com.msc.backup_set.upserted.v1`: a backup set was created or changed."""

    backup_set_id: Id = Field(description="Backup set identifier.")
    name: Name = Field(description="Display name of the backup set.")
    workload: Name = Field(description="Protected workload, e.g. `File Server`, `VMware`.")
    rpo_hours: int = Field(default=24, ge=1, le=8760, description="Recovery point objective.")


class BackupSetDeleted(EventData):
    """`com.msc.backup_set.deleted.v1`: a backup set was removed."""

    backup_set_id: Id = Field(description="Backup set identifier.")


class AlertRaised(EventData):
    """`com.msc.alert.raised.v1`: an alert was raised."""

    alert_id: Id = Field(description="Alert identifier.")
    severity: Severity = Field(description="`critical`, `warning` or `info`.")
    alert_type: Name = Field(description="Kind of alert, e.g. `backup_failed`.")
    message: Text = Field(description="Human-readable alert text.")
    backup_set_id: Id | None = Field(default=None, description="Backup set it concerns, if any.")


class AlertCleared(EventData):
    """`com.msc.alert.cleared.v1`: an alert was cleared."""

    alert_id: Id = Field(description="Alert identifier.")


class AlertAcknowledged(EventData):
    """`com.msc.alert.acknowledged.v1`: someone acknowledged an open alert in the portal
    (published by sla_svc; the alert stays open until cleared)."""

    alert_id: Id = Field(description="Alert identifier.")
    acknowledged_by: Name = Field(description="Who: the `sub` of their portal token.")


class UsageReported(EventData):
    """`com.msc.usage.daily.v1`: credits and storage consumed by a customer on one UTC day."""

    date: Day = Field(description="UTC day, `YYYY-MM-DD`.")
    credits_consumed: float = Field(
        ge=0, le=MAX_CREDITS, allow_inf_nan=False, description="Credits consumed that day."
    )
    storage_bytes: int = Field(
        ge=0, le=MAX_BYTES, description="Storage in use at the end of that day."
    )


class CustomerSummary(EventData):
    """The customer summary carried by customer lifecycle events: each field of the type,
    and so the bounds, of the HTTP field it comes from (`msc_contracts.fields`)."""

    name: AccountName = Field(description="Account name.")
    customer_name: CustomerName | None = Field(default=None, description="Customer's legal name.")
    plan: PlanName | None = Field(default=None, description="Service plan name.")
    edition: Edition | None = Field(default=None, description="Edition of the service plan.")
    tenant_type: TenantType | None = Field(
        default=None, description="`commercial` or `evaluation`."
    )
    storage_region: Region | None = Field(default=None, description="Storage region.")
    expiry_date: IsoDate | None = Field(
        default=None, description="Service plan expiry date, `YYYY-MM-DD`."
    )


class CustomerChanged(EventData):
    """`com.msc.customer.created.v1` / `...updated.v1`: the customer and its summary."""

    customer_id: EntityId = Field(description="Customer identifier.")
    summary: CustomerSummary = Field(description="The customer summary after the change.")
    actor: Name | None = Field(
        default=None, description="Who made the change: the `sub` of the portal token."
    )


class CustomerDeleted(EventData):
    """`com.msc.customer.deleted.v1`: the customer was deleted."""

    customer_id: EntityId = Field(description="Customer identifier.")
    actor: Name | None = Field(
        default=None, description="Who deleted it: the `sub` of the portal token."
    )


DataT = TypeVar("DataT")


class CloudEvent(BaseModel, Generic[DataT]):
    """A CloudEvents 1.0 event in JSON structured mode, with the `customerid` extension."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    specversion: Literal["1.0"] = Field(default="1.0", description="CloudEvents version.")
    id: Id = Field(description="Event id; an id already applied is ignored.")
    source: Name = Field(min_length=1, description="Producer, e.g. `urn:msc:agent:ag-17`.")
    type: Id = Field(description="Event type.")
    time: Instant = Field(description="When it happened at the source (RFC 3339).")
    customerid: EntityId = Field(description="Customer id; equals the Kafka message key.")
    datacontenttype: str | None = Field(default="application/json", description="Always JSON.")
    data: DataT = Field(description="Type-specific payload.")


JOB_REPORTED: Final = "com.msc.backup.job.v1"
BACKUP_SET_UPSERTED: Final = "com.msc.backup_set.upserted.v1"
BACKUP_SET_DELETED: Final = "com.msc.backup_set.deleted.v1"
ALERT_RAISED: Final = "com.msc.alert.raised.v1"
ALERT_CLEARED: Final = "com.msc.alert.cleared.v1"
ALERT_ACKNOWLEDGED: Final = "com.msc.alert.acknowledged.v1"
USAGE_REPORTED: Final = "com.msc.usage.daily.v1"
CUSTOMER_CREATED: Final = "com.msc.customer.created.v1"
CUSTOMER_UPDATED: Final = "com.msc.customer.updated.v1"
CUSTOMER_DELETED: Final = "com.msc.customer.deleted.v1"


@dataclass(frozen=True)
class EventType:
    """One row of the contract's event table: the type, its topic and its `data` model."""

    name: str
    topic: str
    data_model: type[EventData]


EVENT_TYPES: Final[dict[str, EventType]] = {
    t.name: t
    for t in (
        EventType(JOB_REPORTED, topics.BACKUP_JOBS, BackupJobReported),
        EventType(BACKUP_SET_UPSERTED, topics.BACKUP_SETS, BackupSetUpserted),
        EventType(BACKUP_SET_DELETED, topics.BACKUP_SETS, BackupSetDeleted),
        EventType(ALERT_RAISED, topics.BACKUP_ALERTS, AlertRaised),
        EventType(ALERT_CLEARED, topics.BACKUP_ALERTS, AlertCleared),
        EventType(ALERT_ACKNOWLEDGED, topics.BACKUP_ALERTS, AlertAcknowledged),
        EventType(USAGE_REPORTED, topics.BACKUP_USAGE, UsageReported),
        EventType(CUSTOMER_CREATED, topics.CUSTOMER_EVENTS, CustomerChanged),
        EventType(CUSTOMER_UPDATED, topics.CUSTOMER_EVENTS, CustomerChanged),
        EventType(CUSTOMER_DELETED, topics.CUSTOMER_EVENTS, CustomerDeleted),
    )
}


class InvalidEvent(ValueError):
    """The message breaks the contract; `reason` says how (it goes to the dead-letter topic)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class UnknownEventType(Exception):
    """The event is well-formed CloudEvents but of a type this contract does not know."""

    def __init__(self, event_type: str) -> None:
        super().__init__(event_type)
        self.event_type = event_type


def decode_event(
    value: bytes, key: bytes | None, topic: str, now: dt.datetime | None = None
) -> CloudEvent[Any]:
    """Parse and validate one Kafka message of `topic` against the contract.

    `now` (the consumer's clock, by default the system's) bounds timestamps. Raises
    `InvalidEvent` (with the reason) for anything that must be dead-lettered and
    `UnknownEventType` for a type that is skipped and counted.
    """
    if len(value) > MAX_EVENT_BYTES:
        raise InvalidEvent(f"{len(value)} bytes, more than the {MAX_EVENT_BYTES} an event may have")
    try:
        raw = json.loads(value)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidEvent(f"not valid JSON: {exc}") from exc
    except RecursionError as exc:
        raise InvalidEvent("not valid JSON: nested too deeply") from exc
    if not isinstance(raw, dict):
        raise InvalidEvent("event is not a JSON object")
    context = {"now": now or dt.datetime.now(dt.UTC)}
    try:
        envelope = CloudEvent[dict[str, Any]].model_validate(raw, context=context)
    except ValidationError as exc:
        raise InvalidEvent(_describe(exc)) from exc
    event_type = EVENT_TYPES.get(envelope.type)
    if event_type is None or event_type.topic != topic:
        raise UnknownEventType(envelope.type)
    try:
        data = event_type.data_model.model_validate(envelope.data, context=context)
    except ValidationError as exc:
        raise InvalidEvent(_describe(exc, prefix="data.")) from exc
    message_key = key.decode("utf-8", errors="replace") if key is not None else None
    if message_key != envelope.customerid:
        raise InvalidEvent(
            f"customerid {envelope.customerid!r} differs from the message key {message_key!r}"
        )
    named = getattr(data, "customer_id", envelope.customerid)
    if named != envelope.customerid:
        raise InvalidEvent(
            f"data.customer_id {named!r} differs from customerid {envelope.customerid!r}"
        )
    return CloudEvent[Any].model_construct(**{**envelope.__dict__, "data": data})


def encode_event(event: CloudEvent[Any]) -> bytes:
    """Serialize an event to its JSON structured-mode bytes."""
    return event.model_dump_json(exclude_none=True).encode()


def _describe(exc: ValidationError, prefix: str = "") -> str:
    return "; ".join(
        f"{prefix}{'.'.join(str(p) for p in err['loc']) or '<root>'}: {err['msg']}"
        for err in exc.errors(include_input=False)
    )
