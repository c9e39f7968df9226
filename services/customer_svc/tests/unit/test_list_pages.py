"""Paging the customers list while others are added, renamed and deleted."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable

from hypothesis import given, settings
from hypothesis import strategies as st

from customer_svc.domain.customer_list import CustomerList, ListPage, Position, name_key_at, renamed
from customer_svc.domain.model import Account, Customer, ServicePlan

T0 = dt.datetime(2026, 11, 28, 5, 0, tzinfo=dt.UTC)


def customer(cid: str, name: str, version: int = 1) -> Customer:
    return Customer(cid, Account(name), ServicePlan(), version=version)


def rename(c: Customer, name: str, at: dt.datetime) -> Customer:
    return Customer(
        c.id,
        Account(name),
        c.service_plan,
        version=c.version + 1,
        former_names=renamed(c, name, at),
    )


def customer_list(rows: Iterable[Customer]) -> CustomerList:
    held = CustomerList()
    for row in rows:
        held.put(row)
    return held


def test_renames_and_additions_during_paging_neither_skip_nor_repeat() -> None:
    rows = {c.id: c for c in (customer(f"c{i}", name) for i, name in enumerate("bdfhj"))}
    held = customer_list(rows.values())
    first = held.page(None, 2, T0, None)
    assert [c.account.name for c in first.customers] == ["b", "d"]
    later = T0 + dt.timedelta(minutes=1)
    rows["c0"] = rename(rows["c0"], "z", later)  # already listed, moves to the end
    rows["c4"] = rename(rows["c4"], "a", later)  # not yet listed, moves to the front
    rows["c9"] = customer("c9", "e")  # added after the first page
    for row in (rows["c0"], rows["c4"], rows["c9"]):
        held.put(row)
    seen = [c.id for c in first.customers]
    after = first.next
    while after is not None:
        page = held.page(None, 2, later, after)
        seen += [c.id for c in page.customers]
        after = page.next
    assert sorted(seen) == sorted(rows) and len(seen) == len(set(seen))


def test_a_new_list_uses_the_new_names() -> None:
    c = rename(customer("c1", "b"), "z", T0)
    assert name_key_at(c, T0 - dt.timedelta(seconds=1)) == "b"
    assert name_key_at(c, T0) == "z"
    assert renamed(c, "Z", T0) == c.former_names  # same key: nothing to remember
    assert [x.id for x in customer_list([c]).page(None, 5, T0, None).customers] == ["c1"]


def test_search_is_a_case_insensitive_substring_of_either_name() -> None:
    held = customer_list(
        [
            Customer("c1", Account("North Backup", customer_name="Acme Corp"), ServicePlan()),
            Customer("c2", Account("South", customer_name="Globex"), ServicePlan()),
        ]
    )
    assert [c.id for c in held.page("acme", 10, T0, None).customers] == ["c1"]
    assert [c.id for c in held.page("OUT", 10, T0, None).customers] == ["c2"]
    assert held.page("zzz", 10, T0, None).customers == []


def test_versions_arrive_in_any_order_and_a_deletion_is_final() -> None:
    held = CustomerList()
    v2 = customer("c1", "new name", version=2)
    held.put(v2)
    held.put(customer("c1", "old name", version=1))  # late: changes nothing
    assert [c.account.name for c in held.page(None, 5, T0, None).customers] == ["new name"]
    held.put(dataclasses.replace(v2, version=3, deleted=True))
    held.put(v2)  # a repeat of what came before the deletion
    assert held.page(None, 5, T0, None).customers == [] and len(held) == 0


# ---- the same pages as sorting the whole fleet, whatever happens between them ----


def reference(
    rows: Iterable[Customer], q: str | None, limit: int, now: dt.datetime, after: Position | None
) -> ListPage:
    """The list by its definition: every live customer sorted by the name it had at the
    list's start, then cut after the cursor (what the service did before the CustomerList)."""
    as_of = after.as_of if after else now
    needle = (q or "").casefold()
    keyed = sorted(
        (name_key_at(c, as_of), c.id, c)
        for c in rows
        if not c.deleted
        and (
            needle in c.account.name.casefold()
            or needle in (c.account.customer_name or "").casefold()
        )
    )
    if after is not None:
        keyed = [t for t in keyed if (t[0], t[1]) > (after.key, after.customer_id)]
    page = keyed[: limit + 1]
    more = len(page) > limit
    page = page[:limit]
    return ListPage([c for *_, c in page], Position(as_of, *page[-1][:2]) if more else None)


NAMES = st.sampled_from(["alpha", "Beta", "beta", "gamma", "delta", "Alpha 2", "zeta", "eta"])
ACTIONS = st.sampled_from(["add", "rename", "rename", "delete", "page", "page", "page"])
STEPS = st.lists(st.tuples(ACTIONS, st.integers(0, 9), NAMES), min_size=5, max_size=40)


@settings(max_examples=300, deadline=None)
@given(
    fleet=st.lists(NAMES, min_size=3, max_size=10),
    steps=STEPS,
    limit=st.integers(1, 3),
    q=st.sampled_from([None, None, "a", "ETA", "zz", "a\x00b"]),
)
def test_every_page_is_the_page_of_the_whole_fleet_sorted(
    fleet: list[str], steps: list[tuple[str, int, str]], limit: int, q: str | None
) -> None:
    rows = {f"c{n}": customer(f"c{n}", name) for n, name in enumerate(fleet)}
    held = customer_list(rows.values())
    now = T0
    after: Position | None = None
    for action, n, name in steps:
        now += dt.timedelta(minutes=7)
        cid = f"c{n}"
        current = rows.get(cid)
        if action == "add" and current is None:
            rows[cid] = customer(cid, name)
        elif action == "rename" and current is not None and not current.deleted:
            rows[cid] = rename(current, name, now)
        elif action == "delete" and current is not None and not current.deleted:
            rows[cid] = dataclasses.replace(current, version=current.version + 1, deleted=True)
        elif action == "page":
            page = held.page(q, limit, now, after)
            assert page == reference(rows.values(), q, limit, now, after)
            after = page.next
            continue
        else:
            continue
        held.put(rows[cid])
