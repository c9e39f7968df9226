"""The customers list: ordered by account name, paged without skipping or repeating anyone,
at a cost that does not grow with the number of customers.

A rename moves a customer in the order, which would make plain keyset paging skip or
repeat it. So every page is ordered by the names customers had when the first page was
read: a customer renamed since keeps its place until the list is read again from the top.
Customers remember their former name keys for `HISTORY_KEPT`; older cursors are refused.

A caller restricted to customer groups, or one asking for one group, pages through the
customers of those groups only: the rows are walked from the cursor as for a search `q`,
so such a page costs the rows it passes over.
"""

from __future__ import annotations

import bisect
import datetime as dt
import heapq
import itertools
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace

from customer_svc.domain.customer_groups import Restriction, visible
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


def name_key_at(customer: Customer, as_of: dt.datetime) -> str:
    """The name key the customer had at `as_of`."""
    for former in sorted(customer.former_names, key=lambda f: f.until):
        if as_of < former.until:
            return former.key
    return name_key(customer.account.name)


def searched_text(customer: Customer) -> str:
    """What `q` is looked for in: the account name and the customer name, case folded,
    apart by a NUL (which no search holds: a `q` with one finds nothing)."""
    return (
        f"{customer.account.name.casefold()}\x00{(customer.account.customer_name or '').casefold()}"
    )


class CustomerList:
    """Every live customer's row of the list, kept in list order (name key, then id), so a
    page costs its own length and not the fleet's: the customers are found by bisection
    and walked from the cursor, and only those renamed since the list was begun (a few)
    are placed apart, under the name they had then.

    `put` takes each new version of a customer, in any order: an older version than the
    one held changes nothing, and a deleted customer leaves the list.
    """

    def __init__(self) -> None:
        self._customers: dict[str, Customer] = {}
        self._versions: dict[str, int] = {}  # of the live and the deleted
        self._order: list[tuple[str, str]] = []  # (current name key, id), sorted
        self._text: list[str] = []  # the searched_text of each row of _order, beside it
        self._groups: list[frozenset[str]] = []  # the groups of each row of _order, beside it
        self._renamed: dict[str, Customer] = {}  # those with former names kept
        self._group_sizes: Counter[str] = Counter()
        self.filled = False
        """True once every stored customer has been put (until then pages would lie)."""

    def __len__(self) -> int:
        return len(self._customers)

    def put(self, customer: Customer) -> None:
        """Take `customer`'s version unless a newer one is held."""
        if self._versions.get(customer.id, 0) >= customer.version:
            return
        self._versions[customer.id] = customer.version
        held = self._customers.pop(customer.id, None)
        if held is not None:
            at = bisect.bisect_left(self._order, (name_key(held.account.name), held.id))
            del self._order[at], self._text[at], self._groups[at]
            for group in held.groups:
                self._group_sizes[group] -= 1
                if not self._group_sizes[group]:  # no customer is in it any more
                    del self._group_sizes[group]
        self._renamed.pop(customer.id, None)
        if customer.deleted:
            return
        customer = replace(customer, contacts=(), pending_events=())  # not on the list
        self._customers[customer.id] = customer
        row = (name_key(customer.account.name), customer.id)
        at = bisect.bisect_left(self._order, row)
        self._order.insert(at, row)
        self._text.insert(at, searched_text(customer))
        self._groups.insert(at, customer.groups)
        self._group_sizes.update(customer.groups)
        if customer.former_names:
            self._renamed[customer.id] = customer

    def group_sizes(self, restriction: Restriction) -> dict[str, int]:
        """Each customer group in use (of `restriction`'s only, for a restricted caller)
        and how many customers are in it."""
        return {
            group: size
            for group, size in self._group_sizes.items()
            if restriction is None or group in restriction
        }

    def page(
        self,
        q: str | None,
        limit: int,
        now: dt.datetime,
        after: Position | None,
        groups: Restriction = None,
    ) -> ListPage:
        """One page of the list, of the customers of `groups` only unless it is None: the
        first one when `after` is None."""
        as_of = after.as_of if after else now
        start = (after.key, after.customer_id) if after else ("", "")
        for cid in [c.id for c in self._renamed.values() if _renamed_before(c, now - HISTORY_KEPT)]:
            del self._renamed[cid]  # no cursor that may still be used is that old
        moved = {
            cid: key
            for cid, c in self._renamed.items()
            if (key := name_key_at(c, as_of)) != name_key(c.account.name)
        }
        order, first = self._order, bisect.bisect_right(self._order, start)
        positions: Iterable[int] = range(first, len(order))
        needle = q.casefold() if q else ""
        if "\x00" in needle or groups == frozenset():
            return ListPage([], None)
        if needle:  # a case-insensitive substring of either name
            found = (needle in text for text in itertools.islice(self._text, first, None))
            positions = itertools.compress(positions, found)
        if groups is not None:
            positions = (i for i in positions if not groups.isdisjoint(self._groups[i]))
        in_place = (order[i] for i in positions if order[i][1] not in moved)
        apart = sorted(
            (key, cid)
            for cid, key in moved.items()
            if (key, cid) > start
            and needle in searched_text(self._customers[cid])
            and visible(self._customers[cid], groups)
        )
        page = list(itertools.islice(heapq.merge(in_place, apart), limit + 1))
        more = len(page) > limit
        page = page[:limit]
        next_position = Position(as_of, *page[-1]) if more and page else None
        return ListPage([self._customers[cid] for _, cid in page], next_position)


def _renamed_before(customer: Customer, moment: dt.datetime) -> bool:
    return all(former.until <= moment for former in customer.former_names)


def renamed(customer: Customer, new_name: str, now: dt.datetime) -> tuple[FormerName, ...]:
    """The former names to keep after renaming `customer` to `new_name` at `now`."""
    kept = tuple(f for f in customer.former_names if now - f.until < HISTORY_KEPT)
    old = name_key(customer.account.name)
    if name_key(new_name) == old:
        return kept
    return (*kept, FormerName(old, now))
