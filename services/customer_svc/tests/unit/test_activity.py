"""The audit trail's entries, and what a deleted customer's keep."""

from __future__ import annotations

import datetime as dt

from customer_svc.domain.activity import erased, record
from customer_svc.domain.model import Account, Contact, Customer, ServicePlan

NOW = dt.datetime(2026, 12, 4, 9, 0, tzinfo=dt.UTC)


def test_an_erased_entry_keeps_who_when_and_which_fields_without_their_values() -> None:
    before = Customer("c-1", Account("Acme"), ServicePlan(), version=1, updated_at=NOW)
    after = Customer(
        "c-1",
        Account("Acme", phone="+14155550100", address="1 Main St"),
        ServicePlan(),
        contacts=(Contact("k-1", "Dana Lee", "dana@acme.example", "+14155550101"),),
        version=2,
        updated_at=NOW,
    )
    entry = record("contact_added", "alice", before, after)
    kept = erased(entry)
    assert (kept.version, kept.action, kept.actor, kept.at) == (2, "contact_added", "alice", NOW)
    assert [c.field for c in kept.changes] == [c.field for c in entry.changes]
    assert "contacts.k-1.email" in [c.field for c in kept.changes]
    assert all(c.old is None and c.new is None for c in kept.changes)
    assert erased(kept) == kept
