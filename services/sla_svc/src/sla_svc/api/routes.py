"""Routes of the SLA API: parse, call the service, shape the answer."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from msc_contracts import portal as schemas
from msc_platform.http import FastJSONResponse, Problem
from sla_svc.domain.backup_sets import JobSummary
from sla_svc.domain.time_keys import rfc3339
from sla_svc.domain.view import SlaView
from sla_svc.service import CustomerDeleted, SlaService, UnknownWindow

router = APIRouter(prefix="/api/v1", tags=["sla"])


async def get_service(request: Request) -> SlaService:
    """The service built by `create_app`."""
    service: SlaService = request.app.state.service
    return service


ServiceDep = Annotated[SlaService, Depends(get_service)]


@router.get("/customers/{customer_id}/sla", response_model=schemas.SlaPublic)
async def get_sla(
    customer_id: str,
    service: ServiceDep,
    window: Annotated[str, Query(description="`24h`, `7d` or `30d`.")] = "7d",
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> FastJSONResponse:
    """The SLA tab of one customer (shaped by `public`, so not validated again on the way out:
    with 100 rows that took longer than computing the view)."""
    try:
        view = await service.view(customer_id, window, cursor, limit)
    except UnknownWindow as exc:
        raise Problem(
            422,
            "Validation failed",
            "invalid fields: window",
            errors=[{"field": "window", "message": "must be one of 24h, 7d, 30d"}],
        ) from exc
    except CustomerDeleted as exc:
        raise Problem(404, "Not found", f"customer {customer_id} was deleted") from exc
    return FastJSONResponse(public(view))


@router.post("/sla-health", response_model=schemas.HealthPublic)
async def sla_health(body: schemas.HealthQuery, service: ServiceDep) -> dict[str, Any]:
    """`sla_health` of many customers in one call, for the customers list."""
    return {"items": await service.health(body.customer_ids)}


def public(view: SlaView) -> dict[str, Any]:
    """The contract's shape of the SLA view."""
    return {
        "window": view.window,
        "as_of": view.as_of.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "backup_jobs": vars(view.backup_jobs),
        "restore_jobs": vars(view.restore_jobs),
        "alerts": {"open": view.open_alerts, "raised_in_window": view.raised_in_window},
        "backup_sets": {
            "total": view.sets_total,
            "rpo_breached": view.rpo_breached,
            "never_backed_up": view.never_backed_up,
            "items": [
                {
                    "backup_set_id": row.backup_set_id,
                    "name": row.name,
                    "workload": row.workload,
                    "rpo_hours": row.rpo_hours,
                    "rpo_status": row.rpo_status,
                    "last_successful_backup_at": _time(row.last_successful_backup_at),
                    "last_backup": _job(row.last_backup),
                    "last_restore": _job(row.last_restore),
                    "open_alerts": row.open_alerts,
                }
                for row in view.rows
            ],
            "next_cursor": view.next_cursor,
        },
    }


def _time(key: str | None) -> str | None:
    return rfc3339(key) if key else None


def _job(job: JobSummary | None) -> dict[str, Any] | None:
    if job is None:
        return None
    return {
        "job_id": job.job_id,
        "status": job.status,
        "started_at": _time(job.started_at),
        "ended_at": _time(job.ended_at),
    }
