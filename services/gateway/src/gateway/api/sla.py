"""The SLA tab's routes: the SLA part alone (a page of the backup set table, in the order
asked for), the whole table as CSV, a set's job history; each for a customer the caller may
see, asked of sla_svc once customer_svc confirms the customer."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request, Response
from fastapi.responses import StreamingResponse

from gateway import compose, export
from gateway.api.deps import visible
from gateway.api.forward import attachment, from_sla
from gateway.api.openapi import CSV, READ, answers
from gateway.api.params import Window
from gateway.api.route_class import portal_router
from msc_contracts import vocabulary
from msc_contracts.http import sla
from msc_platform.http import PathId

router = portal_router()


@router.get("/customers/{customer_id}/backup-sets.csv", responses={200: CSV, **READ})
async def export_backup_sets(
    customer_id: PathId, request: Request, window: Window = "7d"
) -> StreamingResponse:
    """The customer's backup set table, every page, as CSV."""
    rows = await export.backup_sets_csv(visible(request, customer_id), customer_id, window)
    return attachment(rows, f"backup-sets-{customer_id}.csv")


@router.get("/customers/{customer_id}/sla", responses=answers(sla.SlaPublic, READ, headers=()))
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
    table: dict[str, str] = {"sort": sort} | ({"rpo_status": rpo_status} if rpo_status else {})
    found = visible(request, customer_id)
    body = await compose.customer_sla(found, customer_id, window, cursor, table)
    return Response(body, media_type="application/json")


@router.get("/customers/{customer_id}/jobs", responses=answers(sla.JobHistory, READ, headers=()))
async def job_history(
    customer_id: PathId,
    request: Request,
    backup_set_id: Annotated[str, Query(min_length=1, max_length=128, description="The set.")],
) -> Response:
    """The latest 20 jobs of one backup set, newest first (the roles of the SLA tab)."""
    return await from_sla(request, customer_id, "jobs", {"backup_set_id": backup_set_id})
