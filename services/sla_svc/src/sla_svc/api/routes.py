"""Routes of the SLA API: parse, call the service, shape the answer."""

from __future__ import annotations

from typing import Annotated, Any, cast

from fastapi import APIRouter, Depends, Header, Query, Request, Response

from msc_contracts.vocabulary import RpoStatus, SetSort, Severity
from msc_platform.http import ACTOR_HEADER, PathId, Problem, actor_of
from sla_svc.api import rendering, schemas
from sla_svc.domain.alerts import Acknowledged, AlertState
from sla_svc.domain.prepared import InvalidCursor, SetOrder, SetQuery
from sla_svc.domain.time_keys import rfc3339
from sla_svc.service import (
    AlertAlreadyCleared,
    CustomerDeleted,
    SlaService,
    UnknownAlert,
    UnknownWindow,
)

router = APIRouter(prefix="/api/v1", tags=["sla"])


async def get_service(request: Request) -> SlaService:
    """The service built by `create_app`."""
    service: SlaService = request.app.state.service
    return service


ServiceDep = Annotated[SlaService, Depends(get_service)]


@router.get("/customers/{customer_id}/sla", response_model=schemas.SlaPublic)
async def get_sla(
    customer_id: PathId,
    service: ServiceDep,
    window: Annotated[str, Query(description="`24h`, `7d` or `30d`.")] = "7d",
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    sort: Annotated[SetSort, Query(description="Order of the backup sets; `-` reverses.")] = (
        "backup_set_id"
    ),
    rpo_status: Annotated[RpoStatus | None, Query(description="Only these sets.")] = None,
) -> Response:
    """The SLA tab of one customer (rendered by `rendering`, once per kept view, and not
    validated again on the way out: with 100 rows that took longer than computing it)."""
    order = cast(SetOrder, sort.removeprefix("-"))
    query = SetQuery(order, sort.startswith("-"), rpo_status)
    try:
        view, rest = await service.rendered_view(
            customer_id, window, cursor, limit, rendering.without_as_of, query
        )
    except InvalidCursor as exc:
        raise Problem(
            422,
            "Validation failed",
            "invalid fields: cursor",
            errors=[{"field": "cursor", "message": str(exc)}],
        ) from exc
    except UnknownWindow as exc:
        raise Problem(
            422,
            "Validation failed",
            "invalid fields: window",
            errors=[{"field": "window", "message": "must be one of 24h, 7d, 30d"}],
        ) from exc
    except CustomerDeleted as exc:
        raise Problem(404, "Not found", f"customer {customer_id} was deleted") from exc
    return Response(rendering.with_as_of(view, rest), media_type="application/json")


@router.post("/sla-health", response_model=schemas.HealthPublic)
async def sla_health(body: schemas.HealthQuery, service: ServiceDep) -> dict[str, Any]:
    """`sla_health` of many customers in one call, for the customers list."""
    return {"items": await service.health(body.customer_ids)}


@router.get("/customers/{customer_id}/alerts", response_model=schemas.AlertPage)
async def open_alerts(
    customer_id: PathId,
    service: ServiceDep,
    severity: Annotated[Severity | None, Query(description="Only this severity.")] = None,
    cursor: Annotated[str | None, Query(max_length=300)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> dict[str, Any]:
    """The customer's open alerts, newest raised first."""
    try:
        page = await service.open_alerts(customer_id, severity, cursor, limit)
    except CustomerDeleted as exc:
        raise Problem(404, "Not found", f"customer {customer_id} was deleted") from exc
    return {"items": [_alert(a) for a in page.alerts], "next_cursor": page.next_cursor}


@router.post(
    "/customers/{customer_id}/alerts/acknowledgements",
    status_code=202,
    response_model=schemas.AcknowledgementAccepted,
)
async def acknowledge_alert(
    customer_id: PathId,
    body: schemas.AcknowledgementCreate,
    service: ServiceDep,
    actor: Annotated[str | None, Header(alias=ACTOR_HEADER)] = None,
) -> dict[str, Any]:
    """Acknowledge an open alert (202: applied within moments; an alert acknowledged before
    answers its first acknowledgement)."""
    try:
        ack = await service.acknowledge(customer_id, body.alert_id, actor_of(actor) or "unknown")
    except CustomerDeleted as exc:
        raise Problem(404, "Not found", f"customer {customer_id} was deleted") from exc
    except UnknownAlert as exc:
        raise Problem(404, "Not found", f"customer {customer_id} has no such alert") from exc
    except AlertAlreadyCleared as exc:
        raise Problem(409, "Conflict", "the alert is cleared: nothing to acknowledge") from exc
    return {"alert_id": body.alert_id, "acknowledged": _acknowledgement(ack)}


@router.get("/customers/{customer_id}/jobs", response_model=schemas.JobHistory)
async def job_history(
    customer_id: PathId,
    service: ServiceDep,
    backup_set_id: Annotated[str, Query(min_length=1, max_length=128)],
) -> dict[str, Any]:
    """The latest jobs of one backup set (the set named in the query: a set id is any text)."""
    try:
        history = await service.job_history(customer_id, backup_set_id)
    except CustomerDeleted as exc:
        raise Problem(404, "Not found", f"customer {customer_id} was deleted") from exc
    items = [
        {
            "job_id": j.job_id,
            "job_type": j.job_type,
            "status": j.status,
            "started_at": _time(j.started_at),
            "ended_at": _time(j.ended_at),
            "bytes_transferred": j.bytes_transferred,
            "error_code": j.error_code,
            "error_message": j.error_message,
        }
        for j in history.jobs
    ]
    return {"backup_set_id": history.backup_set_id, "items": items}


def _time(key: str | None) -> str | None:
    return rfc3339(key) if key else None


def _alert(alert: AlertState) -> dict[str, Any]:
    raised = alert.raised
    assert raised is not None  # only open alerts are listed
    return {
        "alert_id": alert.alert_id,
        "severity": raised.severity,
        "alert_type": raised.alert_type,
        "message": raised.message,
        "backup_set_id": raised.backup_set_id,
        "raised_at": rfc3339(raised.time),
        "acknowledged": _acknowledgement(alert.acknowledged) if alert.acknowledged else None,
    }


def _acknowledgement(ack: Acknowledged) -> dict[str, str]:
    return {"by": ack.by, "at": rfc3339(ack.time)}
