"""The portal's composed views: the customers list with each row's `sla_health` (as a page
or as CSV) and the Customer Details page (Summary and SLA tabs at once)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request, Response
from fastapi.responses import StreamingResponse

from gateway import compose, export
from gateway.api.deps import caller, services, visible
from gateway.api.forward import attachment
from gateway.api.openapi import CSV, READ, answers, problems
from gateway.api.params import Window
from gateway.api.route_class import portal_router
from msc_contracts.fields import GroupName
from msc_contracts.http import portal
from msc_platform.http import PathId

router = portal_router()
Search = Annotated[str | None, Query(max_length=200, description="Part of either name.")]
Group = Annotated[GroupName | None, Query(description="Only the customers of this group.")]


@router.get("/customers", responses=answers(portal.CustomerPage, problems(422, 503), headers=()))
async def list_customers(
    request: Request,
    q: Search = None,
    group: Group = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=1000)] = None,
) -> Response:
    """Customers ordered by account name, with `sla_health` (asked of sla_svc once a page);
    a caller restricted to customer groups lists theirs only."""
    caller(request).may_list()
    given = {"q": q, "group": group, "limit": limit, "cursor": cursor}
    params = {k: v for k, v in given.items() if v is not None}
    page = await compose.customers_page(services(request), params)
    return Response(page, media_type="application/json")


@router.get("/customers.csv", responses={200: CSV, **problems(422, 503)})
async def export_customers(
    request: Request, q: Search = None, group: Group = None
) -> StreamingResponse:
    """Every customer the search matches, with `sla_health`, as CSV."""
    caller(request).may_list()
    search = {k: v for k, v in {"q": q, "group": group}.items() if v is not None}
    rows = await export.customers_csv(services(request), search)
    return attachment(rows, "customers.csv")


@router.get("/customers/{customer_id}/details", responses=answers(portal.CustomerDetails, READ))
async def customer_details(
    customer_id: PathId,
    request: Request,
    window: Window = "7d",
) -> Response:
    """The Customer Details page: Summary and SLA tabs; `partial` when the SLA is missing."""
    details = await compose.customer_details(visible(request, customer_id), customer_id, window)
    headers = {"ETag": details.etag} if details.etag else {}
    return Response(details.body, media_type="application/json", headers=headers)
