"""A customer's figures as stored: read back equal, a view decodes only its page of sets,
and a save writes the sets it did not change as they were read."""

from __future__ import annotations

import datetime as dt
import json
import random

from services.sla_svc.tests.history import latest_jobs
from sla_svc.adapters.documents import customer_from_document, customer_to_document
from sla_svc.domain.backup_sets import BackupSet, Presence
from sla_svc.domain.figures import CustomerSla
from sla_svc.domain.latest import JobSummary
from sla_svc.domain.prepared import PreparedSla, SetQuery
from sla_svc.domain.time_keys import instant
from sla_svc.domain.view import Window, sla_view

NOW = dt.datetime(2026, 11, 30, 5, 0, 0, tzinfo=dt.UTC)


def customer(sets: int, seed: int = 1) -> CustomerSla:
    rng = random.Random(seed)
    table = {}
    for i in range(sets):
        ended = instant(NOW - dt.timedelta(hours=rng.randint(0, 60)))
        failed = JobSummary(f"j{i}f", "failed", ended, ended, "E42", "disk full")
        presence = Presence("o", rng.random() < 0.1, rng.choice([None, f"Set {i}"]), None, 24)
        table[f"bs-{i:04d}"] = BackupSet(
            f"bs-{i:04d}",
            presence if i % 7 else None,
            jobs=1,
            latest=latest_jobs(
                {f"j{i}": ended} if i % 5 else {},
                JobSummary(f"j{i}", "completed", ended, ended),
                failed if i % 3 else None,
            ),
            open_alerts=i % 4,
        )
    return CustomerSla(
        customer_id="c-1", sets=table, job_hours={"2026113004": {"backup:failed": 2}}
    )


def view_of(sla: CustomerSla, query: SetQuery = SetQuery(), limit: int = 100) -> object:
    return sla_view(PreparedSla(sla), {}, Window("30d", NOW), None, limit, query)


def test_the_figures_read_back_give_the_same_sets_and_views() -> None:
    written = customer(300)
    read = customer_from_document("c-1", customer_to_document(written, "r1"))
    assert dict(read.sets) == dict(written.sets)
    for query in (SetQuery(), SetQuery("name", True), SetQuery("rpo_status", False, "breached")):
        assert view_of(read, query) == view_of(written, query)


class CountedDecoding:
    """Counts the sets decoded (each set's row is read with `json.loads`)."""

    def __init__(self) -> None:
        self.decoded = 0
        self._loads = json.loads

    def __enter__(self) -> CountedDecoding:
        def counting(row: bytes) -> object:
            self.decoded += 1
            return self._loads(row)

        json.loads = counting  # type: ignore[assignment]
        return self

    def __exit__(self, *_: object) -> None:
        json.loads = self._loads


def test_a_view_decodes_only_the_sets_of_its_page() -> None:
    read = customer_from_document("c-1", customer_to_document(customer(300), "r1"))
    with CountedDecoding() as counted:
        view_of(read, SetQuery("name"), limit=10)
    assert counted.decoded == 10


def test_a_save_decodes_none_of_the_sets_it_did_not_change() -> None:
    read = customer_from_document("c-1", customer_to_document(customer(50), "r1"))
    with CountedDecoding() as counted:
        read.sets["bs-0003"] = BackupSet("bs-0003", Presence("p", False, "renamed", None, 6))
        read.sets["bs-9999"] = BackupSet("bs-9999", jobs=1)
        saved = customer_to_document(read, "r1")
    assert counted.decoded == 0
    again = customer_from_document("c-1", saved)
    assert again.sets["bs-0003"].name == "renamed" and "bs-9999" in again.sets
    unchanged = {k: v for k, v in customer(50).sets.items() if k != "bs-0003"}
    assert {k: v for k, v in again.sets.items() if k not in ("bs-0003", "bs-9999")} == unchanged


def test_the_open_alert_index_is_decoded_only_when_used() -> None:
    written = customer(10)
    written.open_alert_index = {"a-1": (instant(NOW), "critical", "bs-0001")}
    stored = customer_to_document(written, "r1")
    read = customer_from_document("c-1", stored)
    with CountedDecoding() as counted:
        view_of(read)
        again = customer_to_document(read, "r1")
    assert counted.decoded == 10  # the rows of the page, not the index
    assert again["open_alert_index"] == stored["open_alert_index"]
    assert dict(read.open_alert_index) == written.open_alert_index
    read.open_alert_index.pop("a-1")
    assert (
        dict(customer_from_document("c-1", customer_to_document(read, "r1")).open_alert_index) == {}
    )
