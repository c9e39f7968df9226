"""A customer's open alerts and their acknowledgement, answered by sla_svc once customer_svc
confirms the customer."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request, Response

from gateway import compose
from gateway.api.deps import actor, services
from gateway.api.forward import from_sla
from gateway.api.openapi import READ, answers, problems
from gateway.api.route_class import portal_router
from msc_contracts import vocabulary
from msc_contracts.http import sla
from msc_platform.http import PathId, ProblemDetail

router = portal_router()


@router.get("/customers/{customer_id}/alerts", responses=answers(sla.AlertPage, READ, headers=()))
async def customer_alerts(
    customer_id: PathId,
    request: Request,
    severity: Annotated[
        vocabulary.Severity | None, Query(description="Only alerts of this severity.")
    ] = None,
    cursor: Annotated[str | None, Query(max_length=300, description="Older alerts.")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> Response:
    """The customer's open alerts, newest raised first (the roles of the SLA tab)."""
    given = {"severity": severity, "cursor": cursor, "limit": limit}
    params = {k: v for k, v in given.items() if v is not None}
    return await from_sla(request, customer_id, "alerts", params)


@router.post(
    "/customers/{customer_id}/alerts/acknowledgements",
    status_code=202,
    responses=answers(
        sla.AcknowledgementAccepted,
        problems(404, 422, 503)
        | {409: {"model": ProblemDetail, "description": "The alert is cleared already."}},
        202,
        headers=(),
    ),
)
async def acknowledge_alert(
    customer_id: PathId, body: sla.AcknowledgementCreate, request: Request
) -> Response:
    """Acknowledge an open alert as the caller (202: applied within moments; an alert
    acknowledged before answers its first acknowledgement)."""
    answer = await compose.about_customer(
        services(request),
        customer_id,
        "POST",
        ("alerts", "acknowledgements"),
        json=body.model_dump(),
        headers=actor(request),
    )
    return Response(answer.content, answer.status_code, media_type="application/json")
