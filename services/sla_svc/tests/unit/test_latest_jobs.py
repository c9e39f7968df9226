"""A set's last backup, last restore, last failure and last success follow the contract's
rule over every job of the set ever received, whatever the order, however long ago."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from services.sla_svc.tests.fakes import (
    Crash,
    FakeSlaStore,
    sla_service,
    view_of,
)
from services.sla_svc.tests.history import deliver, job, upsert
from sla_svc.domain.ingest import Change
from sla_svc.domain.jobs import JobSnapshot, JobState, merge
from sla_svc.domain.view import BackupSetRow
from sla_svc.service import SlaService


class CountedScans(FakeSlaStore):
    """A store that counts the scans of a set's job states."""

    def __init__(self) -> None:
        super().__init__()
        self.scans = 0

    async def customer_jobs(self, customer_id: str) -> list[JobState]:
        self.scans += 1
        return await super().customer_jobs(customer_id)


def service(store: FakeSlaStore | None = None) -> SlaService:
    return sla_service(store or FakeSlaStore())


async def rows(
    changes: list[Change], batch: int = 9, store: FakeSlaStore | None = None
) -> dict[str, BackupSetRow]:
    sla = service(store)
    stream = deliver("c1", changes)
    for start in range(0, len(stream), batch):
        await sla.apply(stream[start : start + batch])
    view = await view_of(sla, "c1", "7d", limit=1000)
    return {r.backup_set_id: r for r in view.rows}


async def test_a_busy_set_keeps_its_restore_and_failure_of_long_ago() -> None:
    history: list[Change] = [
        upsert("bs-1", 900),
        job("r1", "running", 800, job_type="restore", started_hours_ago=800),
        job("r1", "successful", 799, job_type="restore", started_hours_ago=800),
        job("f1", "failed", 700, started_hours_ago=700.5, error=("E_VSS", "VSS timed out")),
    ]
    for n in range(600):  # hourly backups for 25 days
        history.append(job(f"b{n}", "running", 650 - n, started_hours_ago=650 - n))
        history.append(job(f"b{n}", "successful", 649.75 - n, started_hours_ago=650 - n))
    row = (await rows(history))["bs-1"]
    assert row.last_restore is not None and row.last_failure is not None
    assert (row.last_restore.job_id, row.last_restore.status) == ("r1", "successful")
    assert (row.last_failure.job_id, row.last_failure.error_code) == ("f1", "E_VSS")
    assert row.last_backup is not None and row.last_backup.job_id == "b599"


async def test_when_every_kept_failure_is_overturned_the_one_before_is_found() -> None:
    """Five failures; the three latest later succeed after all: the set has forgotten the
    two before them, and finds the latest of them again in its job states (once)."""
    failures: list[Change] = [
        job(f"f{n}", "failed", 50 - n, started_hours_ago=50.5 - n, error=("E", f"{n}"))
        for n in range(5)
    ]
    overturned: list[Change] = [
        job(f"f{n}", "successful", 40 - n, started_hours_ago=50.5 - n) for n in (2, 3, 4)
    ]
    store = CountedScans()
    row = (await rows([*failures, *overturned], batch=5, store=store))["bs-1"]
    assert row.last_failure is not None and row.last_failure.job_id == "f1"
    assert row.last_failure.error_message == "1"
    assert store.scans == 1
    assert row.last_successful_backup_at == job("f4", "successful", 36).ended_at


def brute_force(changes: list[Change]) -> dict[str, tuple[str | None, ...]]:
    """The contract's rule over every job state: the latest of each kind, per set."""
    states: dict[str, JobState] = {}
    for change in changes:
        if isinstance(change, JobSnapshot):
            states[change.job_id] = merge(states.get(change.job_id), change)
    out: dict[str, tuple[str | None, ...]] = {}
    for set_id in {s.backup_set_id for s in states.values()}:
        jobs = [s for s in states.values() if s.backup_set_id == set_id]

        def latest(kind: str, failed: bool = False, of: list[JobState] = jobs) -> str | None:
            found = [j for j in of if j.job_type == kind and (not failed or j.status == "failed")]
            return max(found, key=lambda j: j.recency).job_id if found else None

        successes = [j for j in jobs if j.successful_backup and j.ended_at]
        last_success = max((j.ended_at or "" for j in successes), default=None)
        out[set_id] = (
            latest("backup"),
            latest("restore"),
            latest("backup", failed=True),
            last_success,
        )
    return out


def random_history(rng: random.Random) -> list[Change]:
    """Hundreds of jobs on a few sets: rare restores, failures, failures overturned by a
    later success, starts that arrive late and earlier than the job's first event, repeats."""
    history: list[Change] = []
    for n in range(rng.randint(150, 400)):
        set_id = f"bs-{rng.randint(1, 3)}"
        kind = "restore" if rng.random() < 0.03 else "backup"
        at = rng.uniform(1, 700)
        job_id = f"j{n}"
        history.append(job(job_id, "queued", at + 0.5, set_id=set_id, job_type=kind))
        started = at + rng.choice([0.2, 0.2, 3.0])  # sometimes started well before queued
        status = rng.choices(["successful", "failed", "canceled"], [8, 2, 0.3])[0]
        history.append(
            job(job_id, status, at, set_id=set_id, job_type=kind, started_hours_ago=started)
        )
        if status == "failed" and rng.random() < 0.4:
            later = job(job_id, "successful", at - 0.1, set_id=set_id, job_type=kind)
            history.append(replace(later, started_at=None))
    history += rng.sample(history, k=len(history) // 10)
    return history


async def test_any_order_of_long_histories_gives_the_rule_over_every_job() -> None:
    rng = random.Random(22)
    for _ in range(6):
        history = random_history(rng)
        expected = brute_force(history)
        rng.shuffle(history)
        got = await rows(history, batch=rng.choice([1, 7, 50]))
        for set_id, (backup, restore, failure, success) in expected.items():
            row = got[set_id]
            assert (row.last_backup.job_id if row.last_backup else None) == backup
            assert (row.last_restore.job_id if row.last_restore else None) == restore
            assert (row.last_failure.job_id if row.last_failure else None) == failure
            assert row.last_successful_backup_at == success


async def test_a_job_that_moves_to_another_set_leaves_the_first_whatever_the_order() -> None:
    """A later snapshot names another set: the job is the new set's alone, as if it had
    always been, in any order of delivery (the set it left, known only from it, is gone)."""
    history: list[Change] = [
        job("j1", "running", 3, set_id="bs-a", started_hours_ago=3),
        job("j1", "successful", 2, set_id="bs-b", started_hours_ago=3),
        job("j2", "failed", 5, set_id="bs-c", started_hours_ago=5.5),
    ]
    for order in ([0, 1, 2], [1, 0, 2], [2, 1, 0]):
        sla = service()
        for i in order:
            await sla.apply(deliver("c1", [history[i]]))
        view = await view_of(sla, "c1", "7d")
        assert sorted(r.backup_set_id for r in view.rows) == ["bs-b", "bs-c"], order
        assert (await sla.job_history("c1", "bs-a")).jobs == ()
        assert [j.job_id for j in (await sla.job_history("c1", "bs-b")).jobs] == ["j1"]


async def test_what_a_finished_save_wrote_is_not_written_again() -> None:
    """The figures carry the rest of their save only until the save finishes: batch after
    batch, a save writes its own batch's states, not every state the customer had."""
    store = FakeSlaStore()
    sla = service(store)
    for n in range(30):
        await sla.apply(deliver("c1", [job(f"j{n}", "successful", 40 - n)]))
        assert list(store.unfinished["c1"].jobs) == [f"j{n}"]


async def test_a_set_its_jobs_leave_finds_its_latest_again() -> None:
    """Four failures on a set, then the three latest move to another set: the first set's
    latest failure is the one left, delivered in one batch or in two."""
    failures: list[Change] = [
        job(f"f{n}", "failed", 50 - n, set_id="bs-a", started_hours_ago=50.5 - n) for n in range(4)
    ]
    moves: list[Change] = [
        job(f"f{n}", "failed", 40 - n, set_id="bs-b", started_hours_ago=50.5 - n) for n in (1, 2, 3)
    ]
    for batch in (len(failures), len(failures) + len(moves)):
        row = (await rows([*failures, *moves], batch=batch))["bs-a"]
        assert row.last_failure is not None and row.last_failure.job_id == "f0"


async def test_a_move_a_crashed_save_made_leaves_the_old_sets_history() -> None:
    store = FakeSlaStore()
    sla = service(store)
    await sla.apply(deliver("c1", [job("j1", "running", 3, set_id="bs-a", started_hours_ago=3)]))
    store.crash_after_figures = True
    moved = deliver("c1", [job("j1", "successful", 2, set_id="bs-b", started_hours_ago=3)])
    with pytest.raises(Crash):
        await sla.apply(moved)
    await sla.apply(moved)  # delivered again
    assert (await sla.job_history("c1", "bs-a")).jobs == ()
    assert [j.job_id for j in (await sla.job_history("c1", "bs-b")).jobs] == ["j1"]
