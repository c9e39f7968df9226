"""How the portal routes pass a call on: a change to customer_svc as it was sent, its
listings and sla_svc's answer about a customer as they came, rows as a CSV attachment."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from fastapi import Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from gateway import compose
from gateway.api.deps import actor, services, visible
from msc_platform.http import Problem

FORWARDED_HEADERS = ("ETag", "Location")


async def to_customer_svc(request: Request, path: str, body: BaseModel | None = None) -> Response:
    """Send the change to customer_svc as it came (Guard let only an `msp_admin` here)."""
    headers = actor(request)
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


async def listing_from_customer_svc(request: Request, path: str, what: str) -> Response:
    """customer_svc's answer to a read about no one customer, passed on as it came; 503 when
    it cannot give `what`."""
    answer = await services(request).customers.request("GET", path)
    if answer.status_code != 200:
        raise Problem(503, "Service unavailable", f"customer_svc could not list {what}")
    return Response(answer.content, media_type="application/json")


async def from_sla(
    request: Request, customer_id: str, below: str, params: dict[str, Any]
) -> Response:
    """sla_svc's answer about a customer the caller may see, passed on as it came."""
    found = visible(request, customer_id)
    answer = await compose.about_customer(found, customer_id, "GET", (below,), params=params)
    return Response(answer.content, media_type="application/json")


def attachment(rows: AsyncIterator[bytes], filename: str) -> StreamingResponse:
    """CSV rows streamed as a file to save."""
    return StreamingResponse(
        rows,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
