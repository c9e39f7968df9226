"""Rules 1 to 3 and the SLA view, on the domain with an in-memory store."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import replace

import pytest

from msc_testkit.clock import FixedClock
from services.sla_svc.tests.fakes import (
    Crash,
    FakeAcknowledgements,
    FakeSlaStore,
    sla_service,
    view_of,
)
from services.sla_svc.tests.history import (
    NOW,
    acknowledge,
    clear,
    delete_set,
    deliver,
    job,
    raise_,
    upsert,
)
from sla_svc.adapters.store import RememberingStore
from sla_svc.domain.figures import CustomerSla
from sla_svc.domain.ingest import Change
from sla_svc.domain.view import SlaView
from sla_svc.service import (
    AlertAlreadyCleared,
    CustomerDeleted,
    SlaService,
    UnknownAlert,
    UnknownWindow,
)


def service(store: FakeSlaStore | None = None) -> SlaService:
    return sla_service(store or FakeSlaStore())


async def view_after(changes: list[Change], window: str = "7d") -> SlaView:
    sla = service()
    await sla.apply(deliver("c1", changes))
    return await view_of(sla, "c1", window)


def row(view: SlaView, set_id: str = "bs-1") -> object:
    return next(r for r in view.rows if r.backup_set_id == set_id)


async def test_a_late_running_snapshot_never_undoes_a_failure() -> None:
    view = await view_after([job("j1", "failed", 2), job("j1", "running", 1, started_hours_ago=3)])
    assert view.backup_jobs.failed == 1 and view.backup_jobs.total == 1
    assert row(view).last_backup.status == "failed"  # type: ignore[attr-defined]


async def test_a_success_sent_before_a_later_running_still_ends_the_job() -> None:
    view = await view_after([job("j1", "successful", 2), job("j1", "running", 1)])
    assert view.backup_jobs.successful == 1
    assert row(view).rpo_status == "ok"  # type: ignore[attr-defined]


async def test_among_terminal_snapshots_the_later_wins_and_ties_go_to_the_larger_id() -> None:
    view = await view_after([job("j1", "failed", 2), job("j1", "successful", 1)])
    assert (view.backup_jobs.failed, view.backup_jobs.successful) == (0, 1)
    tie = await view_after(
        [job("j1", "successful", 1, event_id="b"), job("j1", "failed", 1, event_id="a")]
    )
    assert (tie.backup_jobs.failed, tie.backup_jobs.successful) == (0, 1)
    # A success overturned by a later failure no longer counts as the last success.
    flip = await view_after([job("j1", "successful", 2), job("j1", "failed", 1)])
    assert row(flip).rpo_status == "never"  # type: ignore[attr-defined]


async def test_job_counts_and_success_rate() -> None:
    view = await view_after(
        [
            job("j1", "successful", 1),
            job("j2", "successful_with_errors", 2),
            job("j3", "failed", 3),
            job("j4", "canceled", 4),
            job("j5", "running", 1),
            job("r1", "successful", 5, job_type="restore"),
        ]
    )
    b = view.backup_jobs
    assert (b.total, b.successful, b.successful_with_errors, b.failed, b.canceled) == (
        4,
        1,
        1,
        1,
        1,
    )
    assert b.success_rate == pytest.approx(2 / 3)
    assert view.restore_jobs.total == 1 and view.restore_jobs.success_rate == 1.0
    empty = await view_after([job("j1", "canceled", 1)])
    assert empty.backup_jobs.success_rate is None


async def test_window_edges_are_exact() -> None:
    changes: list[Change] = [
        job("in-edge", "successful", 1, ended_hours_ago=24 - 1 / 3600),  # 1 s inside
        job("on-edge", "successful", 1, ended_hours_ago=24),  # exactly as_of - 24h: outside
        job("now", "failed", 0),  # exactly as_of: inside
        job("future", "failed", 0, ended_hours_ago=-1 / 3600),  # after as_of: outside
        job("middle", "canceled", 12),
    ]
    day = await view_after(changes, "24h")
    assert (day.backup_jobs.successful, day.backup_jobs.failed, day.backup_jobs.canceled) == (
        1,
        1,
        1,
    )
    week = await view_after(changes, "7d")
    assert week.backup_jobs.successful == 2


async def test_windows_24h_7d_30d_and_nothing_else() -> None:
    changes: list[Change] = [job(f"j{h}", "successful", h) for h in (1, 30, 200, 700, 800)]
    counts = [(await view_after(changes, w)).backup_jobs.total for w in ("24h", "7d", "30d")]
    assert counts == [1, 2, 4]
    with pytest.raises(UnknownWindow):
        await view_of(service(), "c1", "1h")


async def test_backup_set_presence_follows_its_latest_event() -> None:
    view = await view_after(
        [
            upsert("bs-1", 5, name="Old"),
            upsert("bs-1", 3, name="New", rpo=6),
            job("j1", "successful", 1),
        ]
    )
    r = row(view)
    assert (r.name, r.workload, r.rpo_hours) == ("New", "File Server", 6)  # type: ignore[attr-defined]
    gone = await view_after(
        [
            upsert("bs-1", 5),
            delete_set("bs-1", 3),
            job("j1", "successful", 1),
            job("j2", "failed", 0.5),
        ]
    )
    assert gone.rows == [] and gone.sets_total == 0
    assert gone.backup_jobs.total == 2  # jobs of sets not listed still count
    back = await view_after([delete_set("bs-1", 3), upsert("bs-1", 2, name="Back")])
    assert row(back).name == "Back"  # type: ignore[attr-defined]


async def test_a_set_known_only_from_jobs_is_listed_with_defaults() -> None:
    view = await view_after([job("j1", "failed", 1, set_id="bs-x")])
    r = row(view, "bs-x")
    assert (r.name, r.workload, r.rpo_hours, r.rpo_status) == (None, None, 24, "never")  # type: ignore[attr-defined]
    assert view.never_backed_up == 1


async def test_rpo_status() -> None:
    view = await view_after(
        [
            upsert("ok", 50, rpo=24),
            job("a", "successful", 23, set_id="ok"),
            upsert("late", 50, rpo=4),
            job("b", "successful_with_errors", 5, set_id="late"),
            upsert("never", 50),
            job("c", "failed", 1, set_id="never"),
            job("d", "successful", 24, set_id="just-ok"),  # exactly the RPO: not exceeded
            job("e", "successful", 24 + 1 / 3600, set_id="just-late"),  # one second over
        ]
    )
    statuses = {r.backup_set_id: r.rpo_status for r in view.rows}
    assert statuses == {
        "ok": "ok",
        "late": "breached",
        "never": "never",
        "just-ok": "ok",
        "just-late": "breached",
    }
    assert (view.rpo_breached, view.never_backed_up, view.sets_total) == (2, 1, 5)


async def test_last_backup_and_restore_are_the_latest_started() -> None:
    view = await view_after(
        [
            job("old", "successful", 10, started_hours_ago=11),
            job("new", "running", 1, started_hours_ago=2),
            job("queued", "queued", 0.5),  # no started_at: counts by its time, the latest
            job("r1", "failed", 3, job_type="restore", started_hours_ago=4),
        ]
    )
    r = row(view)
    assert r.last_backup.job_id == "queued"  # type: ignore[attr-defined]
    assert r.last_restore.job_id == "r1" and r.last_restore.status == "failed"  # type: ignore[attr-defined]


async def test_a_job_whose_start_arrives_late_gives_way_to_the_job_after_it() -> None:
    """j0 first counts by its latest event (a `queued` 2 hours ago), then a snapshot says it
    started 2.75 hours ago: j1 (queued 2.5 hours ago, never started) is the latest now,
    whatever the order (found by the property test on the real database)."""
    history: list[Change] = [
        job("j0", "queued", 2, event_id="e1"),
        job("j1", "queued", 2.5, event_id="e2"),
        job("j0", "running", 2.75, started_hours_ago=2.75, event_id="e3"),
    ]
    expected = await view_after(history)
    assert row(expected).last_backup.job_id == "j1"  # type: ignore[attr-defined]
    for order in ([0, 1, 2], [0, 2, 1], [1, 0, 2], [2, 0, 1]):
        assert await view_after([history[i] for i in order]) == expected


async def test_the_last_failure_keeps_its_error_until_overturned() -> None:
    disk = ("E_DISK", "disk full on /backup")
    view = await view_after(
        [
            job("j1", "failed", 30, error=("E_NET", "timeout")),
            job("j2", "failed", 5, error=disk),
            job("j3", "successful", 1),
        ]
    )
    failure = row(view).last_failure  # type: ignore[attr-defined]
    assert (failure.job_id, failure.error_code, failure.error_message) == ("j2", *disk)
    assert row(view).last_backup.job_id == "j3"  # type: ignore[attr-defined]
    overturned = await view_after(
        [
            job("j1", "failed", 30, error=("E_NET", "timeout")),
            job("j2", "failed", 5, error=disk),
            job("j2", "successful", 4),  # a later terminal snapshot: j2 succeeded after all
        ]
    )
    assert row(overturned).last_failure.job_id == "j1"  # type: ignore[attr-defined]
    long = await view_after([job("j1", "failed", 1, error=("E", "x" * 4000))])
    assert len(row(long).last_failure.error_message) == 300  # type: ignore[attr-defined]


async def test_a_set_keeps_its_twenty_latest_jobs_whatever_the_order() -> None:
    history: list[Change] = []
    for n in range(25):
        history.append(job(f"j{n:02d}", "running", 60 - n, started_hours_ago=60 - n))
        status = "failed" if n % 5 == 0 else "successful"
        history.append(
            replace(
                job(f"j{n:02d}", status, 59.5 - n, started_hours_ago=60 - n),
                bytes_transferred=n * 1000,
                error_code="E_NET" if status == "failed" else None,
            )
        )
    history.append(job("r1", "successful", 3, job_type="restore", started_hours_ago=3.5))
    history.append(job("x1", "successful", 3, set_id="bs-2", started_hours_ago=3.5))
    rng = random.Random(5)
    expected = None
    for attempt in range(4):
        changes = list(history)
        if attempt:
            rng.shuffle(changes)
        sla = service()
        stream = deliver("c1", changes)
        for start in range(0, len(stream), 7):
            await sla.apply(stream[start : start + 7])
        got = await sla.job_history("c1", "bs-1")
        expected = expected or got
        assert got == expected
    assert expected is not None
    assert [j.job_id for j in expected.jobs] == ["r1", *(f"j{n:02d}" for n in range(24, 5, -1))]
    j20 = next(j for j in expected.jobs if j.job_id == "j20")
    assert (j20.status, j20.bytes_transferred, j20.error_code) == ("failed", 20000, "E_NET")
    assert (await service().job_history("c1", "bs-9")).jobs == ()


async def test_alerts_open_raised_cleared() -> None:
    view = await view_after(
        [
            raise_("a1", "critical", 2, set_id="bs-1"),
            raise_("a2", "warning", 100),
            clear("a2"),
            clear("a3"),
            raise_("a3", "info", 1),  # cleared before it was raised: stays cleared
            job("j1", "successful", 1),
        ]
    )
    assert view.open_alerts == {"critical": 1, "warning": 0, "info": 0}
    assert view.raised_in_window == {"critical": 1, "warning": 1, "info": 1}
    assert row(view).open_alerts == 1  # type: ignore[attr-defined]
    day = await view_after([raise_("a2", "warning", 100)], "24h")
    assert day.raised_in_window["warning"] == 0 and day.open_alerts["warning"] == 1


async def test_an_acknowledged_alert_stays_open_and_nothing_late_takes_it_back() -> None:
    sla = service()
    raised = raise_("a1", "critical", 3, set_id="bs-1")
    await sla.apply(deliver("c1", [raised, acknowledge("a1", "dana", 2)]))
    view = await view_of(sla, "c1", "7d")
    assert view.open_alerts["critical"] == 1 and view.acknowledged_alerts["critical"] == 1
    # the same `raised` again, and a later one (its message changed): still acknowledged
    again = replace(raised, raised=replace(raised.raised, order="9" + raised.raised.order))
    await sla.apply(deliver("c1", [raised, again]))
    [alert] = (await sla.open_alerts("c1", None, None, 10)).alerts
    assert alert.acknowledged is not None and alert.acknowledged.by == "dana"
    assert (await view_of(sla, "c1", "7d")).acknowledged_alerts["critical"] == 1
    await sla.apply(deliver("c1", [clear("a1")]))
    cleared = await view_of(sla, "c1", "7d")
    assert cleared.open_alerts["critical"] == 0 and cleared.acknowledged_alerts["critical"] == 0
    assert (await sla.open_alerts("c1", None, None, 10)).alerts == []


async def test_open_alerts_page_newest_first_by_severity() -> None:
    sla = service()
    changes: list[Change] = [
        raise_(f"a{n}", "warning" if n % 2 else "critical", hours_ago=n) for n in range(1, 8)
    ]
    await sla.apply(deliver("c1", [*changes, clear("a3")]))
    first = await sla.open_alerts("c1", None, None, 3)
    assert [a.alert_id for a in first.alerts] == ["a1", "a2", "a4"]
    rest = await sla.open_alerts("c1", None, first.next_cursor, 3)
    assert [a.alert_id for a in rest.alerts] == ["a5", "a6", "a7"] and rest.next_cursor is None
    warnings = await sla.open_alerts("c1", "warning", None, 10)
    assert [a.alert_id for a in warnings.alerts] == ["a1", "a5", "a7"]


async def test_an_alert_whose_state_is_not_written_yet_is_listed_from_the_figures() -> None:
    store = FakeSlaStore()
    sla = service(store)
    await sla.apply(deliver("c1", [raise_("a1", "critical", 3, set_id="bs-1")]))
    del store.alerts_[("c1", "a1")]  # as between the save of the figures and of the states
    [alert] = (await sla.open_alerts("c1", None, None, 10)).alerts
    assert alert.raised is not None
    assert (alert.raised.severity, alert.raised.backup_set_id) == ("critical", "bs-1")
    assert alert.raised.message is None and alert.acknowledged is None


async def test_acknowledging_publishes_once_and_refuses_what_is_not_open() -> None:
    acks = FakeAcknowledgements()
    sla = sla_service(FakeSlaStore(), acknowledgements=acks)
    await sla.apply(deliver("c1", [raise_("a1", "critical", 3), raise_("a2", "info", 3)]))
    await sla.apply(deliver("c1", [clear("a2")]))
    accepted = await sla.acknowledge("c1", "a1", "dana")
    assert accepted.by == "dana" and acks.published == [("c1", "a1", "dana", NOW)]
    with pytest.raises(UnknownAlert):
        await sla.acknowledge("c1", "nope", "dana")
    with pytest.raises(AlertAlreadyCleared):
        await sla.acknowledge("c1", "a2", "dana")
    await sla.apply(deliver("c1", [acknowledge("a1", "dana", 0)]))
    kept = await sla.acknowledge("c1", "a1", "someone else")
    assert kept.by == "dana" and len(acks.published) == 1  # acknowledged already: kept


async def test_backup_set_pages() -> None:
    changes: list[Change] = [upsert(f"bs-{i:02d}", 1) for i in range(5)]
    sla = service()
    await sla.apply(deliver("c1", changes))
    first = await view_of(sla, "c1", "7d", None, 2)
    assert [r.backup_set_id for r in first.rows] == ["bs-00", "bs-01"]
    assert first.sets_total == 5
    last = await view_of(sla, "c1", "7d", "bs-03", 2)
    assert [r.backup_set_id for r in last.rows] == ["bs-04"] and last.next_cursor is None


async def test_deleted_customers_drop_events_and_have_no_sla() -> None:
    store = FakeSlaStore()
    sla = service(store)
    await sla.apply(deliver("c1", [job("j1", "successful", 1)]))
    await sla.forget("c1")
    outcome = await sla.apply(deliver("c1", [job("j2", "failed", 1)]))
    assert outcome.dropped == 1 and outcome.applied == 0
    with pytest.raises(CustomerDeleted):
        await view_of(sla, "c1", "7d")


HISTORY: list[Change] = [
    upsert("bs-1", 40),
    upsert("bs-2", 40, rpo=2),
    job("j1", "queued", 30),
    job("j1", "running", 29, started_hours_ago=29),
    job("j1", "successful", 28, started_hours_ago=29),
    job("j2", "failed", 3, set_id="bs-2", started_hours_ago=4),
    job("j2", "successful", 2, set_id="bs-2", started_hours_ago=4),
    job("j3", "running", 1, started_hours_ago=1),
    job("r1", "successful", 20, job_type="restore", started_hours_ago=21),
    raise_("a1", "critical", 3, set_id="bs-2"),
    clear("a1"),
    raise_("a2", "warning", 5, set_id="bs-1"),
    acknowledge("a2", "ops", 4),
    acknowledge("a2", "later", 3),  # the first acknowledgement is kept
    acknowledge("a1", "too-late", 2),  # of a cleared alert: counts nowhere
    raise_("a4", "info", 6),
    delete_set("bs-2", 1),
    upsert("bs-3", 10),
]


async def test_any_order_and_repetition_gives_the_same_view() -> None:
    first = service()
    await first.apply(deliver("c1", HISTORY))
    expected = await view_of(first, "c1", "7d")
    expected_alerts = await first.open_alerts("c1", None, None, 10)
    assert expected.acknowledged_alerts == {"critical": 0, "warning": 1, "info": 0}
    assert [a.alert_id for a in expected_alerts.alerts] == ["a2", "a4"]
    rng = random.Random(7)
    for _ in range(30):
        shuffled = HISTORY + rng.sample(HISTORY, k=5)
        rng.shuffle(shuffled)
        sla = service()
        stream = deliver("c1", shuffled)
        for start in range(0, len(stream), 4):  # in batches, as a consumer would
            await sla.apply(stream[start : start + 4])
        assert await view_of(sla, "c1", "7d") == expected
        assert await sla.open_alerts("c1", None, None, 10) == expected_alerts


@pytest.mark.parametrize("crash_point", ["crash_after_figures", "crash_after_counted"])
@pytest.mark.parametrize("redelivered", [7, 2], ids=["more", "fewer"])
async def test_a_crash_half_way_through_a_save_loses_and_doubles_nothing(
    crash_point: str, redelivered: int
) -> None:
    """Whether the consumer then reads more or fewer events again than the batch that
    crashed held (a rebalance, another batch size), nothing is lost or counted twice."""
    expected = await view_after(HISTORY)
    store = FakeSlaStore()
    sla = service(store)
    stream: list[Change] = deliver("c1", HISTORY)
    done = 0
    while done < len(stream):
        batch = stream[done : done + 5]
        setattr(store, crash_point, done % 10 == 0)
        try:
            await sla.apply(batch)
        except Crash:
            # Redelivered from the last commit, with more or fewer events than crashed.
            batch = stream[done : done + redelivered]
            await sla.apply(batch)
        done += len(batch)
    assert await view_of(sla, "c1", "7d") == expected


async def test_a_history_delivered_again_changes_nothing_and_what_follows_counts() -> None:
    """What a recreated topic, a replay into a new cluster or a partition added while
    running delivers again, at whatever offsets, is counted by the states it leaves
    alone; the events after it count in full."""
    sla = service()
    await sla.apply(deliver("c1", HISTORY[:10]))
    replayed = await sla.apply(deliver("c1", HISTORY[:10]))
    assert replayed.applied == 0
    await sla.apply(deliver("c1", HISTORY[10:]))
    assert await view_of(sla, "c1", "7d") == await view_after(HISTORY)


async def test_repeats_and_superseded_snapshots_are_counted_as_unchanged() -> None:
    sla = service()
    done = job("j1", "successful", 1)
    first = await sla.apply(deliver("c1", [done, job("j1", "running", 2)]))
    assert (first.applied, first.unchanged) == (1, 1)  # the late `running` changes nothing
    again = await sla.apply(deliver("c1", [done]))
    assert (again.applied, again.unchanged, again.dropped) == (0, 1, 0)


async def test_views_read_the_figures_again_only_after_a_change() -> None:
    store = FakeSlaStore()
    writer, reader = service(store), service(store)  # two processes
    await writer.apply(deliver("c1", [upsert("bs-1", 5), job("j1", "successful", 2)]))
    first = await view_of(reader, "c1", "7d")
    reads = store.customer_reads
    again = await view_of(reader, "c1", "24h")
    assert again.backup_jobs.total == first.backup_jobs.total == 1
    assert store.customer_reads == reads  # unchanged: served from the read cache
    await writer.apply(deliver("c1", [job("j2", "failed", 1)]))
    reads = store.customer_reads
    changed = await view_of(reader, "c1", "7d")
    assert (changed.backup_jobs.total, changed.backup_jobs.failed) == (2, 1)
    assert store.customer_reads == reads + 1


async def test_the_read_cache_keeps_the_customers_read_last() -> None:
    store = FakeSlaStore()
    sla = sla_service(store, customers=1)
    for cid in ("c1", "c2"):
        await sla.apply(deliver(cid, [upsert("bs-1", 5)]))
    await view_of(sla, "c1", "7d")
    await view_of(sla, "c2", "7d")  # c1 leaves the cache
    reads = store.customer_reads
    await view_of(sla, "c2", "7d")
    assert store.customer_reads == reads
    await view_of(sla, "c1", "7d")
    assert store.customer_reads == reads + 1


async def test_a_view_asked_again_moves_with_the_clock() -> None:
    clock = FixedClock(NOW)
    sla = sla_service(FakeSlaStore(), clock=clock, customers=4)
    await sla.apply(deliver("c1", [upsert("bs-1", 50, rpo=4), job("j1", "successful", 3.5)]))
    first = await view_of(sla, "c1", "24h")
    assert (first.rpo_breached, row(first).rpo_status) == (0, "ok")  # type: ignore[attr-defined]
    clock.now_ = NOW + dt.timedelta(minutes=20)
    kept = await view_of(sla, "c1", "24h")
    assert kept.as_of == clock.now_ and replace(kept, as_of=first.as_of) == first
    clock.now_ = NOW + dt.timedelta(minutes=31)  # the set's RPO of 4 h has passed
    later = await view_of(sla, "c1", "24h")
    assert (later.as_of, later.rpo_breached, row(later).rpo_status) == (clock.now_, 1, "breached")  # type: ignore[attr-defined]


async def test_figures_this_process_saved_are_not_read_again() -> None:
    store = FakeSlaStore()
    sla = service(store)
    await sla.apply(deliver("c1", [upsert("bs-1", 5), job("j1", "successful", 2)]))
    await view_of(sla, "c1", "24h")  # now kept
    await sla.apply(deliver("c1", [job("j2", "failed", 1), raise_("a1", "warning", 1)]))
    reads = store.customer_reads
    mine = await view_of(sla, "c1", "24h")
    assert store.customer_reads == reads  # the saved figures replaced the kept ones
    assert (mine.backup_jobs.total, mine.backup_jobs.failed, mine.open_alerts["warning"]) == (
        2,
        1,
        1,
    )
    assert mine == await view_of(service(store), "c1", "24h")  # as a process reading them sees


async def test_a_revision_found_current_is_trusted_for_the_recheck_time() -> None:
    store, clock = FakeSlaStore(), FixedClock(NOW)
    writer = service(store)
    reader = sla_service(store, clock=clock, recheck=dt.timedelta(seconds=1))
    await writer.apply(deliver("c1", [upsert("bs-1", 5), job("j1", "successful", 2)]))
    assert (await view_of(reader, "c1", "7d")).backup_jobs.total == 1
    await writer.apply(deliver("c1", [job("j2", "failed", 1)]))
    clock.now_ = NOW + dt.timedelta(milliseconds=999)
    assert (await view_of(reader, "c1", "7d")).backup_jobs.total == 1  # not asked again yet
    clock.now_ = NOW + dt.timedelta(seconds=1)
    assert (await view_of(reader, "c1", "7d")).backup_jobs.total == 2


async def test_what_this_process_writes_shows_within_the_recheck_time() -> None:
    sla = sla_service(FakeSlaStore(), recheck=dt.timedelta(minutes=5))
    await sla.apply(deliver("c1", [upsert("bs-1", 5), job("j1", "successful", 2)]))
    await view_of(sla, "c1", "7d")
    await sla.apply(deliver("c1", [job("j2", "failed", 1)]))
    assert (await view_of(sla, "c1", "7d")).backup_jobs.failed == 1
    await sla.forget("c1")
    with pytest.raises(CustomerDeleted):
        await view_of(sla, "c1", "7d")


async def test_figures_read_while_this_process_saves_newer_ones_do_not_replace_them() -> None:
    store, clock = FakeSlaStore(), FixedClock(NOW)
    sla = sla_service(store, clock=clock, recheck=dt.timedelta(seconds=1))
    await sla.apply(deliver("c1", [upsert("bs-1", 5)]))
    await view_of(sla, "c1", "7d")  # kept, so this process's saves refresh it
    await service(store).apply(deliver("c1", [job("j1", "successful", 2)]))  # elsewhere
    clock.now_ = NOW + dt.timedelta(seconds=2)  # the kept revision is asked again: changed
    read = store.customer
    saving = False

    async def read_while_the_consumer_saves(customer_id: str) -> CustomerSla:
        nonlocal saving
        figures = await read(customer_id)
        if not saving:
            saving = True
            clock.now_ += dt.timedelta(milliseconds=1)
            await sla.apply(deliver("c1", [job("j2", "failed", 1)]))
        return figures

    store.customer = read_while_the_consumer_saves  # type: ignore[method-assign]
    assert (await view_of(sla, "c1", "7d")).backup_jobs.total == 1  # as read
    assert (await view_of(sla, "c1", "7d")).backup_jobs.total == 2  # as saved since


async def test_what_it_wrote_is_remembered_until_its_partitions_are_revoked() -> None:
    storage, clock = FakeSlaStore(), FixedClock(NOW)
    store = RememberingStore(storage, clock, customers=16)
    sla = SlaService(store, clock, FakeAcknowledgements())
    await sla.apply(deliver("c1", [upsert("bs-1", 5)]))
    reads = storage.customer_reads
    await sla.apply(deliver("c1", [job("j1", "successful", 2)]))
    assert (await view_of(sla, "c1", "7d")).backup_jobs.total == 1
    assert storage.customer_reads == reads  # neither the batch nor the view read it back
    store.forget_all()
    await sla.apply(deliver("c1", [job("j2", "failed", 1)]))
    assert storage.customer_reads == reads + 1
    assert (await view_of(sla, "c1", "7d")).backup_jobs.total == 2
