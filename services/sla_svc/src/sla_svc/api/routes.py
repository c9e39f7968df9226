"""Routes of the SLA API: parse, call the service, shape the answer."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from msc_platform.http import PathId, Problem
from sla_svc.api import rendering, schemas
from sla_svc.service import CustomerDeleted, SlaService, UnknownWindow

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
) -> Response:
    """The SLA tab of one customer (rendered by `rendering`, once per kept view, and not
    validated again on the way out: with 100 rows that took longer than computing it)."""
    try:
        view, rest = await service.rendered_view(
            customer_id, window, cursor, limit, rendering.without_as_of
        )
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
