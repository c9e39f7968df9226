"""Customer groups, answered by customer_svc: those in use with their customer counts, for
MSP staff (a restricted caller sees its own groups only), and a customer's groups, set by an
`msp_admin` who sees every customer only (a restricted one could otherwise move customers
into its own groups): refused 403 before the body is read (`UnrestrictedOnly`)."""

from __future__ import annotations

from fastapi import Request, Response

from gateway.api.deps import caller
from gateway.api.forward import listing_from_customer_svc, to_customer_svc
from gateway.api.openapi import WRITE, answers, problems
from gateway.api.params import IfMatch
from gateway.api.route_class import UnrestrictedOnly, portal_router
from gateway.upstream import customer_path
from msc_contracts.http import customers
from msc_platform.http import PathId

router = portal_router()
unrestricted_router = portal_router(UnrestrictedOnly)


@router.get(
    "/customer-groups", responses=answers(customers.CustomerGroups, problems(503), headers=())
)
async def customer_groups(request: Request) -> Response:
    """The customer groups in use, by name, with how many customers each has (MSP staff)."""
    caller(request).require_msp_staff("read the customer groups")
    return await listing_from_customer_svc(request, "/api/v1/customer-groups", "the groups")


@unrestricted_router.put(
    "/customers/{customer_id}/groups", responses=answers(customers.CustomerPublic, WRITE)
)
async def set_customer_groups(
    customer_id: PathId,
    body: customers.CustomerGroupsUpdate,
    request: Request,
    if_match: IfMatch = None,
) -> Response:
    """Put the customer in exactly these groups (an `msp_admin` without a restriction)."""
    return await to_customer_svc(request, customer_path(customer_id, "groups"), body)
