"""Paging the customers list while others are added and renamed."""

from __future__ import annotations

import datetime as dt

from customer_svc.domain.listing import list_page, listing_key, renamed
from customer_svc.domain.model import Account, Customer, ServicePlan

T0 = dt.datetime(2026, 11, 28, 5, 0, tzinfo=dt.UTC)


def customer(cid: str, name: str) -> Customer:
    return Customer(cid, Account(name), ServicePlan())


def rename(c: Customer, name: str, at: dt.datetime) -> Customer:
    return Customer(c.id, Account(name), c.service_plan, former_names=renamed(c, name, at))


def test_renames_and_additions_during_paging_neither_skip_nor_repeat() -> None:
    rows = {c.id: c for c in (customer(f"c{i}", name) for i, name in enumerate("bdfhj"))}
    first = list_page(rows.values(), None, 2, T0, None)
    assert [c.account.name for c in first.customers] == ["b", "d"]
    later = T0 + dt.timedelta(minutes=1)
    rows["c0"] = rename(rows["c0"], "z", later)  # already listed, moves to the end
    rows["c4"] = rename(rows["c4"], "a", later)  # not yet listed, moves to the front
    rows["c9"] = customer("c9", "e")  # added after the first page
    seen = [c.id for c in first.customers]
    after = first.next
    while after is not None:
        page = list_page(rows.values(), None, 2, later, after)
        seen += [c.id for c in page.customers]
        after = page.next
    assert sorted(seen) == sorted(rows) and len(seen) == len(set(seen))


def test_a_new_list_uses_the_new_names() -> None:
    c = rename(customer("c1", "b"), "z", T0)
    assert listing_key(c, T0 - dt.timedelta(seconds=1)) == "b"
    assert listing_key(c, T0) == "z"
    assert renamed(c, "Z", T0) == c.former_names  # same key: nothing to remember


def test_search_is_a_case_insensitive_substring_of_either_name() -> None:
    rows = [
        Customer("c1", Account("North Backup", customer_name="Acme Corp"), ServicePlan()),
        Customer("c2", Account("South", customer_name="Globex"), ServicePlan()),
    ]
    assert [c.id for c in list_page(rows, "acme", 10, T0, None).customers] == ["c1"]
    assert [c.id for c in list_page(rows, "OUT", 10, T0, None).customers] == ["c2"]
    assert list_page(rows, "zzz", 10, T0, None).customers == []
