"""Portal routes: check the caller, then compose or forward.

`Guard` has checked the token of every request here, and that any change comes from an
`msp_admin`, before the body was read; the routes check what depends on the customer asked
for (a `customer_viewer` sees its own) and who may list.

Bodies are validated here with the contract's models (so the OpenAPI document is complete
and a malformed body never travels further) and forwarded as sent: partial bodies stay
partial, and customer_svc applies the rules that need its data (unique names, regions).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import StreamingResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel

from gateway import compose, export
from gateway.api.deps import caller, services
from gateway.upstream import customer_path
from msc_contracts import vocabulary
from msc_contracts.bounds import MAX_NAME_CHARS
from msc_contracts.http import customers, portal, sla
from msc_platform.http import ACTOR_HEADER, PROBLEM_JSON, PathId, Problem, ProblemDetail


class KnownQueryOnly(APIRoute):
    """A route that refuses (422, naming it) a query parameter it does not take, or one
    given twice, instead of ignoring it: a misspelt `limt=5` would otherwise answer as if it
    were not there, and of `q=a&q=b` only one would count. Checked in the route's handler,
    with the parameters known once, rather than as a dependency solved on every request."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        if not self.include_in_schema:
            return handler  # `elsewhere`: its 404 or 405 says what is wrong
        known = frozenset(param.alias for param in self.dependant.query_params)

        async def checked(request: Request) -> Response:
            _refuse_unknown_query(request, known)
            return await handler(request)

        return checked


def _refuse_unknown_query(request: Request, known: frozenset[str]) -> None:
    given = request.query_params
    if not given:
        return
    errors = [
        {"field": name[:100], "message": "not a parameter of this route"}
        for name in sorted(set(given) - known)
    ] + [
        {"field": name, "message": "given more than once"}
        for name in sorted(set(given) & known)
        if len(given.getlist(name)) > 1
    ]
    if errors:
        detail = f"invalid query parameters: {', '.join(e['field'] for e in errors)}"
        raise Problem(422, "Validation failed", detail[:500], errors=errors[:20])


router = APIRouter(prefix="/api/v1", tags=["portal"], route_class=KnownQueryOnly)
Window = Annotated[vocabulary.Window, Query(description="SLA statistics window.")]
IfMatch = Annotated[
    str | None, Header(description="The customer's ETag; a stale one is answered 412.")
]
"""Declared on each change so the OpenAPI document names the header; `_forward` passes the
request's own `If-Match` on, so the routes never read the parameter."""
FORWARDED_HEADERS = ("ETag", "Location")


def _problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    meaning = {
        401: "Missing, invalid or expired token.",
        403: "The token's role may not do this.",
        404: "No such customer (or not yours).",
        409: "Another customer has this account name.",
        412: "The If-Match ETag is not the current one.",
        422: "A field breaks a rule; `errors` names each.",
        503: "customer_svc cannot be reached; retry later.",
    }
    return {
        status: {
            "model": ProblemDetail,
            "description": meaning[status],
            "content": {PROBLEM_JSON: {}},
        }
        for status in (401, 403, *statuses)
    }


HEADERS = {
    "ETag": "The customer's version: send it back in `If-Match` to change the customer.",
    "Location": "Where the new customer is.",
}


def _answers(
    model: type[BaseModel],
    problems: dict[int | str, dict[str, Any]],
    status: int = 200,
    headers: tuple[str, ...] = ("ETag",),
) -> dict[int | str, dict[str, Any]]:
    """Documented, not validated: the services already answer in the contract's shapes."""
    documented = {h: {"description": HEADERS[h], "schema": {"type": "string"}} for h in headers}
    success = {"model": model, "description": "Success.", "headers": documented}
    return {status: success, **problems}


READ = _problems(404, 422, 503)
WRITE = _problems(404, 412, 422, 503)


@router.get("/customers", responses=_answers(portal.CustomerPage, _problems(422, 503), headers=()))
async def list_customers(
    request: Request,
    q: Annotated[str | None, Query(max_length=200, description="Part of either name.")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=1000)] = None,
) -> Response:
    """Customers ordered by account name, with `sla_health` (asked of sla_svc once a page)."""
    caller(request).may_list()
    params = {k: v for k, v in {"q": q, "limit": limit, "cursor": cursor}.items() if v is not None}
    found = services(request)
    page = await compose.customers_page(found.customers, found.sla, params)
    return Response(page, media_type="application/json")


CSV = {"content": {"text/csv": {}}, "description": "CSV, streamed, as an attachment."}


@router.get("/customers.csv", responses={200: CSV, **_problems(422, 503)})
async def export_customers(
    request: Request,
    q: Annotated[str | None, Query(max_length=200, description="Part of either name.")] = None,
) -> StreamingResponse:
    """Every customer the search matches, with `sla_health`, as CSV."""
    caller(request).may_list()
    found = services(request)
    rows = await export.customers_csv(found.customers, found.sla, q)
    return _attachment(rows, "customers.csv")


@router.get("/customers/{customer_id}/backup-sets.csv", responses={200: CSV, **READ})
async def export_backup_sets(
    customer_id: PathId, request: Request, window: Window = "7d"
) -> StreamingResponse:
    """The customer's backup set table, every page, as CSV."""
    _check_visible(caller(request).sees_customer(customer_id), customer_id)
    found = services(request)
    rows = await export.backup_sets_csv(found.customers, found.sla, customer_id, window)
    return _attachment(rows, f"backup-sets-{customer_id}.csv")


def _attachment(rows: AsyncIterator[bytes], filename: str) -> StreamingResponse:
    return StreamingResponse(
        rows,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get(
    "/storage-regions",
    responses=_answers(customers.StorageRegions, _problems(503), headers=()),
)
async def storage_regions(request: Request) -> Response:
    """The storage regions a service plan may name (for MSP staff, who edit plans)."""
    caller(request).is_msp_staff("read the storage regions")
    answer = await services(request).customers.request("GET", "/api/v1/storage-regions")
    if answer.status_code != 200:
        raise Problem(503, "Service unavailable", "customer_svc could not list the regions")
    return Response(answer.content, media_type="application/json")


@router.post(
    "/customers",
    status_code=201,
    responses=_answers(
        customers.CustomerPublic, _problems(409, 422, 503), 201, ("ETag", "Location")
    ),
)
async def create_customer(body: customers.CustomerCreate, request: Request) -> Response:
    """Create a customer; the answer carries its `ETag` and `Location`."""
    return await _forward(request, "/api/v1/customers", body)


@router.get("/customers/{customer_id}/details", responses=_answers(portal.CustomerDetails, READ))
async def customer_details(
    customer_id: PathId,
    request: Request,
    window: Window = "7d",
) -> Response:
    """The Customer Details page: Summary and SLA tabs; `partial` when the SLA is missing."""
    _check_visible(caller(request).sees_customer(customer_id), customer_id)
    found = services(request)
    details = await compose.customer_details(found.customers, found.sla, customer_id, window)
    headers = {"ETag": details.etag} if details.etag else {}
    return Response(details.body, media_type="application/json", headers=headers)


@router.get("/customers/{customer_id}/sla", responses=_answers(sla.SlaPublic, READ, headers=()))
async def customer_sla(
    customer_id: PathId,
    request: Request,
    window: Window = "7d",
    cursor: Annotated[str | None, Query(max_length=500, description="Next backup sets.")] = None,
    sort: Annotated[
        vocabulary.SetSort, Query(description="Order of the backup sets; `-` reverses.")
    ] = "backup_set_id",
    rpo_status: Annotated[
        vocabulary.RpoStatus | None, Query(description="Only the sets of this RPO status.")
    ] = None,
) -> Response:
    """The SLA tab alone, a page of its backup set table in the order asked for."""
    _check_visible(caller(request).sees_customer(customer_id), customer_id)
    found = services(request)
    table: dict[str, str] = {"sort": sort} | ({"rpo_status": rpo_status} if rpo_status else {})
    body = await compose.customer_sla(
        found.customers, found.sla, customer_id, window, cursor, table
    )
    return Response(body, media_type="application/json")


@router.get("/customers/{customer_id}/alerts", responses=_answers(sla.AlertPage, READ, headers=()))
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
    return await _from_sla(request, customer_id, "alerts", params)


@router.get("/customers/{customer_id}/jobs", responses=_answers(sla.JobHistory, READ, headers=()))
async def job_history(
    customer_id: PathId,
    request: Request,
    backup_set_id: Annotated[str, Query(min_length=1, max_length=128, description="The set.")],
) -> Response:
    """The latest 20 jobs of one backup set, newest first (the roles of the SLA tab)."""
    return await _from_sla(request, customer_id, "jobs", {"backup_set_id": backup_set_id})


@router.post(
    "/customers/{customer_id}/alerts/acknowledgements",
    status_code=202,
    responses=_answers(
        sla.AcknowledgementAccepted,
        _problems(404, 422, 503)
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
    found = services(request)
    answer = await compose.about_customer(
        found.customers,
        found.sla,
        customer_id,
        "POST",
        ("alerts", "acknowledgements"),
        json=body.model_dump(),
        headers=_actor(request),
    )
    return Response(answer.content, answer.status_code, media_type="application/json")


@router.get(
    "/customers/{customer_id}/activity",
    responses=_answers(customers.ActivityPage, READ, headers=()),
)
async def customer_activity(
    customer_id: PathId,
    request: Request,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=20, description="Older entries.")] = None,
) -> Response:
    """Who changed what in the customer, and when, newest first (MSP staff only)."""
    caller(request).is_msp_staff("read a customer's activity")
    params = {k: v for k, v in {"limit": limit, "cursor": cursor}.items() if v is not None}
    answer = await services(request).customers.request(
        "GET", customer_path(customer_id, "activity"), params=params
    )
    return Response(
        answer.content, answer.status_code, media_type=answer.headers.get("Content-Type")
    )


@router.patch(
    "/customers/{customer_id}/account",
    responses=_answers(customers.CustomerPublic, _problems(404, 409, 412, 422, 503)),
)
async def update_account(
    customer_id: PathId,
    body: customers.AccountUpdate,
    request: Request,
    if_match: IfMatch = None,
) -> Response:
    """Edit account details: only the fields sent change."""
    return await _forward(request, customer_path(customer_id, "account"), body)


@router.patch(
    "/customers/{customer_id}/service-plan", responses=_answers(customers.CustomerPublic, WRITE)
)
async def update_service_plan(
    customer_id: PathId,
    body: customers.ServicePlanUpdate,
    request: Request,
    if_match: IfMatch = None,
) -> Response:
    """Edit the service plan: only the fields sent change."""
    path = customer_path(customer_id, "service-plan")
    return await _forward(request, path, body)


@router.post(
    "/customers/{customer_id}/contacts",
    status_code=201,
    responses=_answers(customers.ContactPublic, WRITE, 201),
)
async def add_contact(
    customer_id: PathId,
    body: customers.ContactCreate,
    request: Request,
    if_match: IfMatch = None,
) -> Response:
    """Add a contact."""
    return await _forward(request, customer_path(customer_id, "contacts"), body)


@router.patch(
    "/customers/{customer_id}/contacts/{contact_id}",
    responses=_answers(customers.ContactPublic, WRITE),
)
async def update_contact(
    customer_id: PathId,
    contact_id: PathId,
    body: customers.ContactUpdate,
    request: Request,
    if_match: IfMatch = None,
) -> Response:
    """Edit a contact: only the fields sent change."""
    path = customer_path(customer_id, "contacts", contact_id)
    return await _forward(request, path, body)


@router.delete("/customers/{customer_id}/contacts/{contact_id}", status_code=204, responses=WRITE)
async def delete_contact(
    customer_id: PathId,
    contact_id: PathId,
    request: Request,
    if_match: IfMatch = None,
) -> Response:
    """Delete a contact."""
    path = customer_path(customer_id, "contacts", contact_id)
    return await _forward(request, path)


@router.delete("/customers/{customer_id}", status_code=204, responses=WRITE)
async def delete_customer(
    customer_id: PathId,
    request: Request,
    if_match: IfMatch = None,
) -> Response:
    """Delete the customer; its SLA data follows through `customers.events`."""
    return await _forward(request, customer_path(customer_id))


async def _from_sla(
    request: Request, customer_id: str, below: str, params: dict[str, Any]
) -> Response:
    """sla_svc's answer about a customer the caller may see, passed on as it came."""
    _check_visible(caller(request).sees_customer(customer_id), customer_id)
    found = services(request)
    answer = await compose.about_customer(
        found.customers, found.sla, customer_id, "GET", (below,), params=params
    )
    return Response(answer.content, media_type="application/json")


def _actor(request: Request) -> dict[str, str]:
    """The header that names the caller to a service, for its audit trail."""
    return {
        ACTOR_HEADER: quote(caller(request).subject[:MAX_NAME_CHARS], safe="", errors="replace")
    }


def _check_visible(visible: bool, customer_id: str) -> None:
    if not visible:
        raise Problem(404, "Not found", f"customer {customer_id} does not exist")


async def _forward(request: Request, path: str, body: BaseModel | None = None) -> Response:
    """Send the change to customer_svc as it came (Guard let only an `msp_admin` here)."""
    headers = _actor(request)
    upstream = services(request).customers
    if value := request.headers.get("If-Match"):
        headers["If-Match"] = value
    content = None
    if body is not None:
        headers["Content-Type"] = "application/json"
        content = body.model_dump_json(exclude_unset=True).encode()
    answer = await upstream.request(request.method, path, content=content, headers=headers)
    passed = {h: v for h in FORWARDED_HEADERS if (v := answer.headers.get(h)) is not None}
    media_type = answer.headers.get("Content-Type")
    if answer.status_code == 204:
        return Response(status_code=204, headers=passed)
    return Response(answer.content, answer.status_code, headers=passed, media_type=media_type)


@router.api_route(
    "/{rest:path}",
    methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"],
    include_in_schema=False,
)
async def elsewhere(request: Request) -> Response:
    """Whatever no route above answers: 405 with the methods the path has, else 404 (the
    portal's files, served after the API, would otherwise claim every path)."""
    path = request.url.path
    allowed = sorted(
        {
            method
            for route in router.routes
            if isinstance(route, APIRoute) and route.endpoint is not elsewhere
            if route.path_regex.match(path)
            for method in route.methods or ()
        }
    )
    if allowed:
        detail = f"{request.method} is not allowed here"
        raise Problem(405, "Method not allowed", detail, headers={"Allow": ", ".join(allowed)})
    raise Problem(404, "Not found", f"no {path} here")
