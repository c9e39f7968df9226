"""The SLA view, the open alerts and a set's job history as the contract's models
(`msc_contracts.http.sla`), built from the domain's values: the models' serializer writes
every answer, so a field of the view is named and typed once, in the model. The words the
domain holds as text (window, RPO status, severity, job type) are checked by the models
against `msc_contracts.vocabulary`.

A view answered again from the read cache differs from the one first computed only in
`as_of` (`snapshot.KeptView`), so everything but `as_of` is serialized once per kept view
(`without_as_of`, kept by the read cache) and `as_of` is put in front of it on each answer
(`with_as_of`): serializing is most of the CPU of a view of a large customer.
"""

from __future__ import annotations

import datetime as dt

from pydantic import TypeAdapter

from msc_contracts.http.sla import (
    AcknowledgementPublic,
    AlertPage,
    AlertPublic,
    AlertsPublic,
    BackupSetPublic,
    BackupSetsPublic,
    FailurePublic,
    JobCountsPublic,
    JobHistory,
    JobHistoryEntry,
    JobPublic,
    SeverityCounts,
    SlaPublic,
)
from sla_svc.domain.alerts import Acknowledged, AlertState
from sla_svc.domain.job_history import SetHistory
from sla_svc.domain.latest import JobSummary
from sla_svc.domain.time_keys import rfc3339
from sla_svc.domain.view import BackupSetRow, SlaView

_SLA = TypeAdapter(SlaPublic)


def without_as_of(view: SlaView) -> bytes:
    """The view's JSON but `as_of`: the same for as long as the view is kept."""
    return _SLA.dump_json(sla_public(view), exclude={"as_of"})


def with_as_of(view: SlaView, rest: bytes) -> bytes:
    """The whole JSON: `as_of` first, then `rest` (from `without_as_of`)."""
    return b'{"as_of":"' + as_of(view).encode() + b'",' + rest[1:]


def as_of(view: SlaView) -> str:
    """The view's `as_of` as the contract writes it."""
    return view.as_of.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def sla_public(view: SlaView) -> SlaPublic:
    """The contract's SLA tab of the view."""
    return SlaPublic(
        window=view.window,
        as_of=as_of(view),
        backup_jobs=JobCountsPublic.model_validate(view.backup_jobs, from_attributes=True),
        restore_jobs=JobCountsPublic.model_validate(view.restore_jobs, from_attributes=True),
        alerts=AlertsPublic(
            open=SeverityCounts.model_validate(view.open_alerts),
            acknowledged=SeverityCounts.model_validate(view.acknowledged_alerts),
            raised_in_window=SeverityCounts.model_validate(view.raised_in_window),
        ),
        backup_sets=BackupSetsPublic(
            total=view.sets_total,
            rpo_breached=view.rpo_breached,
            never_backed_up=view.never_backed_up,
            items=[_row(row) for row in view.rows],
            next_cursor=view.next_cursor,
        ),
    )


def _row(row: BackupSetRow) -> BackupSetPublic:
    return BackupSetPublic(
        backup_set_id=row.backup_set_id,
        name=row.name,
        workload=row.workload,
        rpo_hours=row.rpo_hours,
        rpo_status=row.rpo_status,
        last_successful_backup_at=_time(row.last_successful_backup_at),
        last_backup=_job(row.last_backup),
        last_restore=_job(row.last_restore),
        last_failure=_failure(row.last_failure),
        open_alerts=row.open_alerts,
    )


def _time(key: str | None) -> str | None:
    return rfc3339(key) if key else None


def _job(job: JobSummary | None) -> JobPublic | None:
    if job is None:
        return None
    return JobPublic(
        job_id=job.job_id,
        status=job.status,
        started_at=_time(job.started_at),
        ended_at=_time(job.ended_at),
    )


def _failure(job: JobSummary | None) -> FailurePublic | None:
    if job is None:
        return None
    return FailurePublic(
        job_id=job.job_id,
        ended_at=_time(job.ended_at),
        error_code=job.error_code,
        error_message=job.error_message,
    )


def alert_page(alerts: list[AlertState], next_cursor: str | None) -> AlertPage:
    """A page of open alerts."""
    return AlertPage(items=[_alert(a) for a in alerts], next_cursor=next_cursor)


def acknowledgement(ack: Acknowledged) -> AcknowledgementPublic:
    """Who acknowledged an alert, and when."""
    return AcknowledgementPublic(by=ack.by, at=rfc3339(ack.time))


def job_history(history: SetHistory) -> JobHistory:
    """A set's latest jobs."""
    items = [
        JobHistoryEntry(
            job_id=j.job_id,
            job_type=j.job_type,
            status=j.status,
            started_at=_time(j.started_at),
            ended_at=_time(j.ended_at),
            bytes_transferred=j.bytes_transferred,
            error_code=j.error_code,
            error_message=j.error_message,
        )
        for j in history.jobs
    ]
    return JobHistory(backup_set_id=history.backup_set_id, items=items)


def _alert(alert: AlertState) -> AlertPublic:
    raised = alert.raised
    assert raised is not None  # only open alerts are listed
    return AlertPublic(
        alert_id=alert.alert_id,
        severity=raised.severity,
        alert_type=raised.alert_type,
        message=raised.message,
        backup_set_id=raised.backup_set_id,
        raised_at=rfc3339(raised.time),
        acknowledged=acknowledgement(alert.acknowledged) if alert.acknowledged else None,
    )
