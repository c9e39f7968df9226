"""Mapping between SLA states and MongoDB documents.

FerretDB pays for every field of a document it reads or writes (see
`msc_platform.mongo.packed`): a customer's figures as nested documents cost several times
more than the same figures as one JSON string. So each document
keeps `_id` (the only field looked up), `customer_id` (to purge a deleted customer) and
the state itself as compact JSON in `state` (compressed when large). A customer's figures
keep three parts apart, each decoded only when used: the backup sets' rows (`sets`, their
keys being in `state`), the open-alert index, and what the save that wrote them went on
to write (`unfinished`, which only the consumer reads). User text is never a field name,
so ids with dots or dollars are safe.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import ItemsView, Iterable, Iterator, MutableMapping
from typing import Any

from msc_platform.mongo import compressed, packed, unpacked
from sla_svc.domain.alerts import Acknowledged, AlertState, Raised
from sla_svc.domain.backup_sets import BackupSet, Presence, SetKey
from sla_svc.domain.batch import Unfinished
from sla_svc.domain.figures import CustomerSla, HourDetail, OpenAlert
from sla_svc.domain.job_history import JobEntry, SetHistory
from sla_svc.domain.jobs import JobState
from sla_svc.domain.latest import KINDS, JobSummary, Latest, LatestJobs
from sla_svc.domain.set_table import BackupSets

Document = dict[str, Any]


def customer_to_document(
    customer: CustomerSla, revision: str, unfinished: Unfinished | None = None
) -> Document:
    """The stored form of a customer's figures: the figures with each set's key and the
    place of its row in `sets`, the rows one after another, compressed, and what the save
    goes on to write after them, at the revision of their save. A set unchanged since it
    was read is written as read."""
    rows: list[bytes] = []
    index: list[list[Any]] = []
    at = 0
    sets = customer.sets
    for set_id in sets:
        stored = sets.stored(set_id) if isinstance(sets, StoredSets) else None
        if stored is None:
            backup_set = sets[set_id]
            key, row = (
                backup_set.key,
                json.dumps(_set_out(backup_set), separators=(",", ":")).encode(),
            )
        else:
            key, row = stored
        index.append([*key, at, at + len(row)])
        rows.append(row)
        at += len(row)
    state = {
        "set_index": index,
        "job_hours": customer.job_hours,
        "alert_hours": customer.alert_hours,
        "open_alerts": customer.open_alerts,
        "acknowledged_alerts": customer.acknowledged_alerts,
        "detail_hours": sorted(customer.detail_hours),
    }
    unfinished = unfinished or Unfinished()
    alerts = customer.open_alert_index
    unchanged = alerts.stored if isinstance(alerts, StoredOpenAlerts) else None
    return {
        "_id": customer.customer_id,
        "revision": revision,
        "state": packed(state),
        "sets": compressed(b"".join(rows)),
        "open_alert_index": unchanged if unchanged is not None else packed(dict(alerts)),
        "unfinished": packed(
            [
                [_job_out(j) for j in unfinished.jobs.values()],
                [_alert_out(a) for a in unfinished.alerts.values()],
                [_detail_out(d) for d in unfinished.details.values()],
                unfinished.expired_details,
            ]
        ),
    }


def unfinished_from_document(customer_id: str, doc: Document | None) -> Unfinished:
    """What the save that wrote these figures went on to write after them."""
    if doc is None or "unfinished" not in doc:
        return Unfinished()
    jobs, alerts, details, expired = unpacked(doc["unfinished"])
    return Unfinished(
        jobs={job.job_id: job for job in (JobState(*j) for j in jobs)},
        alerts={alert.alert_id: alert for alert in map(_alert_in, alerts)},
        details={d["hour"]: _detail_in(customer_id, d) for d in details},
        expired_details=expired,
    )


def customer_from_document(customer_id: str, doc: Document | None) -> CustomerSla:
    """A customer's figures from their stored form (its sets decoded when first used)."""
    if doc is None:
        return CustomerSla(customer_id=customer_id)
    state = unpacked(doc["state"])
    rows = zlib.decompress(doc["sets"])
    stored = {
        entry[0]: (SetKey(*entry[:5]), rows[entry[5] : entry[6]]) for entry in state["set_index"]
    }
    return CustomerSla(
        customer_id=customer_id,
        sets=StoredSets(stored),
        job_hours=state["job_hours"],
        alert_hours=state["alert_hours"],
        open_alerts=state["open_alerts"],
        acknowledged_alerts=state["acknowledged_alerts"],
        open_alert_index=StoredOpenAlerts(doc["open_alert_index"]),
        detail_hours=set(state["detail_hours"]),
    )


class StoredSets(BackupSets):
    """A customer's sets as stored: each set's key and row, the row decoded when the set is
    first asked for, so a view decodes the rows of its page alone and a save writes again
    the row of every set it did not change (`stored`)."""

    def __init__(
        self,
        stored: dict[str, tuple[SetKey, bytes]],
        decoded: dict[str, BackupSet] | None = None,
    ) -> None:
        self._stored = stored
        """Sets as stored, unchanged since."""
        self._sets: dict[str, BackupSet] = decoded or {}
        """Sets changed (not in `_stored`) or decoded (also there)."""

    def __getitem__(self, set_id: str) -> BackupSet:
        found = self._sets.get(set_id)
        if found is None:
            found = self._sets[set_id] = _set_in(json.loads(self._stored[set_id][1]))
        return found

    def __setitem__(self, set_id: str, backup_set: BackupSet) -> None:
        self._sets[set_id] = backup_set
        self._stored.pop(set_id, None)

    def __delitem__(self, set_id: str) -> None:
        found = set_id in self._sets or set_id in self._stored
        self._sets.pop(set_id, None)
        self._stored.pop(set_id, None)
        if not found:
            raise KeyError(set_id)

    def __iter__(self) -> Iterator[str]:
        yield from self._stored
        yield from (set_id for set_id in self._sets if set_id not in self._stored)

    def __len__(self) -> int:
        return len(self._stored) + sum(1 for set_id in self._sets if set_id not in self._stored)

    def keys_of_all(self) -> Iterable[SetKey]:
        """Every set's key, without decoding a stored set."""
        for set_id in self:
            stored = self._stored.get(set_id)
            yield stored[0] if stored is not None else self._sets[set_id].key

    def stored(self, set_id: str) -> tuple[SetKey, bytes] | None:
        """The set's key and stored form, if it has not changed since it was read."""
        return self._stored.get(set_id)

    def copy(self) -> StoredSets:
        return StoredSets(dict(self._stored), dict(self._sets))


class StoredOpenAlerts(MutableMapping[str, OpenAlert]):
    """A customer's open-alert index as stored, decoded on first use: the alerts list and
    the consumer use it, a view never does (thousands of alerts: a few milliseconds)."""

    def __init__(
        self, stored: str | bytes | None, index: dict[str, OpenAlert] | None = None
    ) -> None:
        self.stored = stored
        """The stored form, while the index has not changed since it was read."""
        self._index = index

    def _decoded(self) -> dict[str, OpenAlert]:
        if self._index is None:
            assert self.stored is not None
            self._index = {a: (t, s, b) for a, (t, s, b) in unpacked(self.stored).items()}
        return self._index

    def __getitem__(self, alert_id: str) -> OpenAlert:
        return self._decoded()[alert_id]

    def __setitem__(self, alert_id: str, alert: OpenAlert) -> None:
        self._decoded()[alert_id] = alert
        self.stored = None

    def __delitem__(self, alert_id: str) -> None:
        del self._decoded()[alert_id]
        self.stored = None

    def __iter__(self) -> Iterator[str]:
        return iter(self._decoded())

    def __len__(self) -> int:
        return len(self._decoded())

    def items(self) -> ItemsView[str, OpenAlert]:
        return self._decoded().items()

    def __copy__(self) -> StoredOpenAlerts:
        return StoredOpenAlerts(self.stored, None if self._index is None else dict(self._index))


def detail_to_document(detail: HourDetail) -> Document:
    """The stored form of one hour's per-instant counters."""
    return {
        "_id": detail_id(detail.customer_id, detail.hour),
        "customer_id": detail.customer_id,
        "state": packed(_detail_out(detail)),
    }


def detail_from_document(doc: Document) -> HourDetail:
    """One hour's counters from their stored form (format 6 also kept offsets: ignored)."""
    return _detail_in(doc["customer_id"], unpacked(doc["state"]))


def _detail_out(detail: HourDetail) -> dict[str, Any]:
    return {"hour": detail.hour, "jobs": detail.jobs, "alerts": detail.alerts}


def _detail_in(customer_id: str, state: dict[str, Any]) -> HourDetail:
    return HourDetail(
        customer_id=customer_id, hour=state["hour"], jobs=state["jobs"], alerts=state["alerts"]
    )


def detail_id(customer_id: str, hour: str) -> str:
    """`_id` of an hour detail."""
    return f"{customer_id}|{hour}"


def entity_id(customer_id: str, entity_id: str) -> str:
    """`_id` of a job or alert state: unique per customer."""
    return f"{customer_id}|{entity_id}"


def job_to_document(customer_id: str, job: JobState) -> Document:
    """The stored form of a job state."""
    return _entity_document(customer_id, job.job_id, _job_out(job))


def _job_out(job: JobState) -> list[Any]:
    return [
        job.job_id,
        job.backup_set_id,
        job.job_type,
        job.status,
        job.rank,
        job.latest_time,
        job.started_at,
        job.started_rank,
        job.ended_at,
        job.error_code,
        job.error_message,
        job.bytes_transferred,
    ]


def job_from_document(doc: Document) -> JobState:
    """A job state from its stored form."""
    return JobState(*unpacked(doc["state"]))


def alert_to_document(customer_id: str, alert: AlertState) -> Document:
    """The stored form of an alert state."""
    return _entity_document(customer_id, alert.alert_id, _alert_out(alert))


def _alert_out(alert: AlertState) -> list[Any]:
    raised, ack = alert.raised, alert.acknowledged
    return [
        alert.alert_id,
        alert.cleared,
        [
            raised.order,
            raised.time,
            raised.severity,
            raised.backup_set_id,
            raised.alert_type,
            raised.message,
        ]
        if raised
        else None,
        [ack.order, ack.time, ack.by] if ack else None,
    ]


def alert_from_document(doc: Document) -> AlertState:
    """An alert state from its stored form."""
    return _alert_in(unpacked(doc["state"]))


def _alert_in(state: list[Any]) -> AlertState:
    alert_id, cleared, raised, ack = state
    return AlertState(
        alert_id,
        Raised(*raised) if raised else None,
        cleared,
        Acknowledged(*ack) if ack else None,
    )


def history_to_document(customer_id: str, history: SetHistory) -> Document:
    """The stored form of a set's job history."""
    state = [history.backup_set_id, [list(vars(j).values()) for j in history.jobs]]
    return _entity_document(customer_id, history.backup_set_id, state)


def history_from_document(doc: Document) -> SetHistory:
    """A set's job history from its stored form."""
    set_id, jobs = unpacked(doc["state"])
    return SetHistory(set_id, tuple(JobEntry(*j) for j in jobs))


def _entity_document(customer_id: str, entity: str, state: list[Any]) -> Document:
    return {
        "_id": entity_id(customer_id, entity),
        "customer_id": customer_id,
        "state": packed(state),
    }


def _set_out(s: BackupSet) -> list[Any]:
    p = s.presence
    return [
        s.backup_set_id,
        [p.order, p.deleted, p.name, p.workload, p.rpo_hours] if p else None,
        s.jobs,
        [_latest_out(s.latest.of(kind)) for kind in KINDS],
        s.open_alerts,
    ]


def _latest_out(latest: Latest) -> list[Any] | None:
    if not latest.top and latest.bound is None:
        return None
    return [[[place, *_summary_out(j)] for place, j in latest.top], latest.bound]


def _summary_out(j: JobSummary) -> list[Any]:
    summary = [j.job_id, j.status, j.started_at, j.ended_at]
    return [*summary, j.error_code, j.error_message] if j.error_code or j.error_message else summary


def _set_in(packed: list[Any]) -> BackupSet:
    if len(packed) == 8:
        return _format_6_set_in(packed)
    set_id, presence, jobs, latest, open_alerts = packed
    return BackupSet(
        backup_set_id=set_id,
        presence=Presence(*presence) if presence else None,
        jobs=jobs,
        latest=LatestJobs(*map(_latest_in, latest)),
        open_alerts=open_alerts,
    )


def _latest_in(packed: list[Any] | None) -> Latest:
    if packed is None:
        return Latest()
    top, bound = packed
    return Latest(tuple((place, JobSummary(*summary)) for place, *summary in top), bound)


def is_format_6(doc: Document) -> bool:
    """True for figures written by stored format 6 (format 7 names its save's revision)."""
    return "revision" not in doc


def _format_6_set_in(packed: list[Any]) -> BackupSet:
    """A set as format 6 stored it, as a view shows it until the migration to format 7
    (`MongoSlaStore.upgrade`) finds its latest jobs again among all its job states; a
    batch never applies to it before (`MongoSlaStore.for_update` does the same)."""
    set_id, presence, has_jobs, backup, restore, successes, open_alerts, failure = packed

    def one(summary: list[Any] | None) -> Latest:
        return Latest((("", JobSummary(*summary)),)) if summary else Latest()

    last = max(successes.items(), key=lambda kv: (kv[1], kv[0]), default=None)
    success = one([last[0], "successful", None, last[1]] if last else None)
    return BackupSet(
        backup_set_id=set_id,
        presence=Presence(*presence) if presence else None,
        jobs=1 if has_jobs else 0,  # counted again by the migration (`LatestFinder`)
        latest=LatestJobs(one(backup), one(restore), one(failure), success),
        open_alerts=open_alerts,
    )
