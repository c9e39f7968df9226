"""Mapping between SLA states and MongoDB documents (no user text is ever a field name)."""

from __future__ import annotations

import dataclasses
from typing import Any

from sla_svc.domain.alerts import AlertState, Raised
from sla_svc.domain.backup_sets import BackupSet, JobSummary, Presence
from sla_svc.domain.figures import CustomerSla, HourDetail
from sla_svc.domain.jobs import JobState

Document = dict[str, Any]


def customer_to_document(customer: CustomerSla) -> Document:
    """The stored form of a customer's figures; sets are a list, their ids may hold dots."""
    return {
        "_id": customer.customer_id,
        "offsets": _offsets_out(customer.offsets),
        "sets": [
            dataclasses.asdict(s) | {"successes": _successes_out(s.successes)}
            for s in customer.sets.values()
        ],
        "job_hours": customer.job_hours,
        "alert_hours": customer.alert_hours,
        "open_alerts": customer.open_alerts,
        "detail_hours": sorted(customer.detail_hours),
    }


def customer_from_document(customer_id: str, doc: Document | None) -> CustomerSla:
    """A customer's figures from their stored form."""
    if doc is None:
        return CustomerSla(customer_id=customer_id)
    return CustomerSla(
        customer_id=customer_id,
        offsets=_offsets_in(doc.get("offsets", [])),
        sets={s["backup_set_id"]: _set_in(s) for s in doc.get("sets", [])},
        job_hours=doc.get("job_hours", {}),
        alert_hours=doc.get("alert_hours", {}),
        open_alerts=doc.get("open_alerts", {}),
        detail_hours=set(doc.get("detail_hours", [])),
    )


def detail_to_document(detail: HourDetail) -> Document:
    """The stored form of one hour's per-instant counters."""
    return {
        "_id": detail_id(detail.customer_id, detail.hour),
        "customer_id": detail.customer_id,
        "hour": detail.hour,
        "offsets": _offsets_out(detail.offsets),
        "jobs": detail.jobs,
        "alerts": detail.alerts,
    }


def detail_from_document(doc: Document) -> HourDetail:
    """One hour's counters from their stored form."""
    return HourDetail(
        customer_id=doc["customer_id"],
        hour=doc["hour"],
        offsets=_offsets_in(doc.get("offsets", [])),
        jobs=doc.get("jobs", {}),
        alerts=doc.get("alerts", {}),
    )


def detail_id(customer_id: str, hour: str) -> str:
    """`_id` of an hour detail."""
    return f"{customer_id}|{hour}"


def entity_id(customer_id: str, entity_id: str) -> str:
    """`_id` of a job or alert state: unique per customer."""
    return f"{customer_id}|{entity_id}"


def job_to_document(customer_id: str, job: JobState) -> Document:
    """The stored form of a job state."""
    return {
        "_id": entity_id(customer_id, job.job_id),
        "customer_id": customer_id,
    } | dataclasses.asdict(job)


def job_from_document(doc: Document) -> JobState:
    """A job state from its stored form."""
    fields: dict[str, Any] = {f.name: doc.get(f.name) for f in dataclasses.fields(JobState)}
    return JobState(**fields)


def alert_to_document(customer_id: str, alert: AlertState) -> Document:
    """The stored form of an alert state."""
    return {
        "_id": entity_id(customer_id, alert.alert_id),
        "customer_id": customer_id,
        "alert_id": alert.alert_id,
        "raised": dataclasses.asdict(alert.raised) if alert.raised else None,
        "cleared": alert.cleared,
    }


def alert_from_document(doc: Document) -> AlertState:
    """An alert state from its stored form."""
    raised = doc.get("raised")
    return AlertState(
        alert_id=doc["alert_id"],
        raised=Raised(**raised) if raised else None,
        cleared=bool(doc.get("cleared")),
    )


def _set_in(doc: Document) -> BackupSet:
    return BackupSet(
        backup_set_id=doc["backup_set_id"],
        presence=Presence(**doc["presence"]) if doc.get("presence") else None,
        has_jobs=bool(doc.get("has_jobs")),
        last_backup=JobSummary(**doc["last_backup"]) if doc.get("last_backup") else None,
        last_restore=JobSummary(**doc["last_restore"]) if doc.get("last_restore") else None,
        successes={s["job_id"]: s["ended_at"] for s in doc.get("successes", [])},
        open_alerts=int(doc.get("open_alerts", 0)),
    )


def _successes_out(successes: dict[str, str]) -> list[Document]:
    return [{"job_id": job_id, "ended_at": ended} for job_id, ended in successes.items()]


def _offsets_out(offsets: dict[str, int]) -> list[Document]:
    return [{"topic": topic, "offset": offset} for topic, offset in offsets.items()]


def _offsets_in(entries: list[Document]) -> dict[str, int]:
    return {e["topic"]: int(e["offset"]) for e in entries}
