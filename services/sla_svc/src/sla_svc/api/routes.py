"""Routes of the SLA API: parse, call the service, answer in the contract's models
(`rendering`); its errors are answered in `api/errors.py`."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import APIRouter, Depends, Header, Query, Request, Response

from msc_contracts.http import sla as schemas
from msc_contracts.vocabulary import RpoStatus, SetSort, Severity
from msc_platform.http import ACTOR_HEADER, PathId, actor_of
from sla_svc.api import rendering
from sla_svc.domain.prepared import SetOrder, SetQuery
from sla_svc.service import SlaService

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
    view, rest = await service.rendered_view(
        customer_id, window, cursor, limit, rendering.without_as_of, query
    )
    return Response(rendering.with_as_of(view, rest), media_type="application/json")


@router.post("/sla-health", response_model=schemas.HealthPublic)
async def sla_health(body: schemas.HealthQuery, service: ServiceDep) -> schemas.HealthPublic:
    """`sla_health` of many customers in one call, for the customers list."""
    return schemas.HealthPublic(items=await service.health(body.customer_ids))


@router.get("/customers/{customer_id}/alerts", response_model=schemas.AlertPage)
async def open_alerts(
    customer_id: PathId,
    service: ServiceDep,
    severity: Annotated[Severity | None, Query(description="Only this severity.")] = None,
    cursor: Annotated[str | None, Query(max_length=300)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> schemas.AlertPage:
    """The customer's open alerts, newest raised first."""
    page = await service.open_alerts(customer_id, severity, cursor, limit)
    return rendering.alert_page(page.alerts, page.next_cursor)


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
) -> schemas.AcknowledgementAccepted:
    """Acknowledge an open alert (202: applied within moments; an alert acknowledged before
    answers its first acknowledgement)."""
    ack = await service.acknowledge(customer_id, body.alert_id, actor_of(actor) or "unknown")
    return schemas.AcknowledgementAccepted(
        alert_id=body.alert_id, acknowledged=rendering.acknowledgement(ack)
    )


@router.get("/customers/{customer_id}/jobs", response_model=schemas.JobHistory)
async def job_history(
    customer_id: PathId,
    service: ServiceDep,
    backup_set_id: Annotated[str, Query(min_length=1, max_length=128)],
) -> schemas.JobHistory:
    """The latest jobs of one backup set (the set named in the query: a set id is any text)."""
    history = await service.job_history(customer_id, backup_set_id)
    return rendering.job_history(history)
