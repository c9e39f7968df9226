"""The customers list: ordered by account name, paged without skipping or repeating anyone.

A rename moves a customer in the order, which would make plain keyset paging skip or
repeat it. So every page is ordered by the names customers had when the first page was
read: a customer renamed since keeps its place until the list is read again from the top.
Customers remember their former name keys for `HISTORY_KEPT`; older cursors are refused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from customer_svc.domain.model import Customer, FormerName, name_key

HISTORY_KEPT = dt.timedelta(hours=24)


@dataclass(frozen=True)
class Position:
    """Where a page ends: the snapshot time, and the last customer's key and id."""

    as_of: dt.datetime
    key: str
    customer_id: str


@dataclass(frozen=True)
class ListPage:
    """A page and where the next one starts."""

    customers: list[Customer]
    next: Position | None


def listing_key(customer: Customer, as_of: dt.datetime) -> str:
    """The name key the customer had at `as_of`."""
    for former in sorted(customer.former_names, key=lambda f: f.until):
        if as_of < former.until:
            return former.key
    return name_key(customer.account.name)


def matches(customer: Customer, q: str | None) -> bool:
    """`q` is a case-insensitive substring of the account name or the customer name."""
    if not q:
        return True
    needle = q.casefold()
    return (
        needle in customer.account.name.casefold()
        or needle in (customer.account.customer_name or "").casefold()
    )


def list_page(
    customers: Iterable[Customer],
    q: str | None,
    limit: int,
    now: dt.datetime,
    after: Position | None,
) -> ListPage:
    """One page of the list: the first one when `after` is None."""
    as_of = after.as_of if after else now
    keyed = sorted(
        ((listing_key(c, as_of), c.id, c) for c in customers if matches(c, q)),
        key=lambda t: (t[0], t[1]),
    )
    if after is not None:
        keyed = [t for t in keyed if (t[0], t[1]) > (after.key, after.customer_id)]
    page = keyed[: limit + 1]
    more = len(page) > limit
    page = page[:limit]
    next_position = Position(as_of, page[-1][0], page[-1][1]) if more and page else None
    return ListPage([c for _, _, c in page], next_position)


def renamed(customer: Customer, new_name: str, now: dt.datetime) -> tuple[FormerName, ...]:
    """The former names to keep after renaming `customer` to `new_name` at `now`."""
    kept = tuple(f for f in customer.former_names if now - f.until < HISTORY_KEPT)
    old = name_key(customer.account.name)
    if name_key(new_name) == old:
        return kept
    return (*kept, FormerName(old, now))
