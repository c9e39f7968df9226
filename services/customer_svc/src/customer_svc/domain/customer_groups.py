"""Customer groups: a customer belongs to zero or more (a reseller, a team), and an MSP
user whose claims name groups sees and changes the customers of those groups only; to
every other customer it is answered as if the customer did not exist. Only a caller
without a restriction sets a customer's groups (a restricted one could otherwise move
customers into its own groups)."""

from __future__ import annotations

from collections.abc import Iterable

from customer_svc.domain.errors import InvalidField
from customer_svc.domain.model import Customer
from msc_contracts.bounds import MAX_GROUPS

Restriction = frozenset[str] | None
"""The groups a caller is restricted to; None for a caller who sees every customer."""


def visible(customer: Customer, restriction: Restriction) -> bool:
    """Whether a caller restricted to `restriction` sees the customer: it belongs to at
    least one of its groups."""
    return restriction is None or not restriction.isdisjoint(customer.groups)


def narrowed(restriction: Restriction, group: str | None) -> Restriction:
    """What a list shows of a restricted caller's customers when it asks for one `group`
    only (none of them when the group is not one of its)."""
    if group is None:
        return restriction
    asked = frozenset({group})
    return asked if restriction is None else asked & restriction


def group_set(names: Iterable[str]) -> frozenset[str]:
    """The groups a customer is to belong to; `InvalidField` beyond `MAX_GROUPS`."""
    groups = frozenset(names)
    if len(groups) > MAX_GROUPS:
        raise InvalidField("groups", f"a customer belongs to at most {MAX_GROUPS} groups")
    return groups
