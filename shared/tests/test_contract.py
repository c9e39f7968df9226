"""The event models say exactly what CONTRACT.md section 2 says."""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
from pathlib import Path

import pytest

from msc_contracts import bounds, events, topics
from msc_contracts.events import EVENT_TYPES, InvalidEvent, UnknownEventType, decode_event
from msc_contracts.schemas import event_schemas

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = ROOT / "docs" / "CONTRACT.md"


def contract_rows() -> list[tuple[str, list[str], list[str]]]:
    """(topic, types, data fields) of each row of the contract's event table."""
    rows = []
    for line in CONTRACT.read_text().splitlines():
        cells = [c.strip() for c in line.replace("\\|", "/").strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].startswith("`") and "." in cells[0]:
            topic = cells[0].strip("`")
            types = re.findall(r"`(com\.msc\.[^`]+)`", cells[1])
            fields = re.findall(r"`([a-z_]+)`", cells[2])
            rows.append((topic, types, fields))
    return rows


def test_the_project_copy_of_the_contract_is_current() -> None:
    """docs/CONTRACT.md holds the published contract unchanged, plus what issues added to it
    (new endpoints and their roles): no line of the published one dropped or altered."""
    upstream = ROOT.parent / "shared" / "CONTRACT.md"
    if upstream.exists():
        ours = CONTRACT.read_text().splitlines()
        matcher = difflib.SequenceMatcher(a=upstream.read_text().splitlines(), b=ours)
        changed = [op for op in matcher.get_opcodes() if op[0] in {"delete", "replace"}]
        assert not changed, f"docs/CONTRACT.md drops or alters the published contract: {changed}"


def test_every_contract_event_type_has_a_model_on_its_topic() -> None:
    rows = contract_rows()
    assert len(rows) == 8
    for topic, types, fields in rows:
        assert topic in topics.ALL_TOPICS
        for name in types:
            assert EVENT_TYPES[name].topic == topic
        if topic == topics.CUSTOMER_EVENTS:
            continue  # "...updated.v1" is abbreviated in the table
        for name in types:
            model_fields = set(EVENT_TYPES[name].data_model.model_fields)
            documented = {f for f in fields if f in model_fields or f.endswith("_id")}
            assert documented <= model_fields, (name, documented - model_fields)
    documented_types = {t for _, types, _ in rows for t in types}
    documented_types |= {events.CUSTOMER_UPDATED, events.CUSTOMER_DELETED}
    assert documented_types == set(EVENT_TYPES)


def test_job_fields_match_the_contract_exactly() -> None:
    fields = next(f for t, _, f in contract_rows() if t == topics.BACKUP_JOBS)
    wanted = [f for f in fields if f not in {"backup", "restore"}]
    assert set(wanted) == set(events.BackupJobReported.model_fields)


def test_json_schemas_export_for_every_type(tmp_path: Path) -> None:
    from msc_contracts.schemas import main

    assert main(["schemas", str(tmp_path)]) == 0
    written = sorted(p.name for p in (tmp_path / "schemas").iterdir())
    assert written == sorted(f"{name}.schema.json" for name in EVENT_TYPES)
    assert (tmp_path / "asyncapi.yaml").is_file()
    job = event_schemas()[events.JOB_REPORTED]
    assert set(job["required"]) >= {"id", "source", "type", "time", "customerid", "data"}


def job(**data_changes: object) -> dict[str, object]:
    data = {
        "job_id": "j-1",
        "backup_set_id": "bs-1",
        "job_type": "backup",
        "status": "failed",
        "started_at": "2026-11-27T01:00:00Z",
        "ended_at": "2026-11-27T02:00:00+00:00",
    } | data_changes
    return {
        "specversion": "1.0",
        "id": "e-1",
        "source": "urn:msc:agent:ag-1",
        "type": events.JOB_REPORTED,
        "time": "2026-11-27T02:00:00Z",
        "customerid": "c-1",
        "data": data,
    }


def encode(value: object) -> bytes:
    return json.dumps(value).encode()


def test_a_valid_job_event_decodes() -> None:
    event = decode_event(encode(job()), b"c-1", topics.BACKUP_JOBS)
    assert event.data.status == "failed"
    assert event.data.bytes_transferred == 0


@pytest.mark.parametrize(
    ("value", "key", "reason"),
    [
        (b"{not json", b"c-1", "not valid JSON"),
        (encode([1, 2]), b"c-1", "not a JSON object"),
        (encode(job() | {"time": "yesterday"}), b"c-1", "time"),
        (encode(job() | {"time": "2026-11-27T02:00:00"}), b"c-1", "time"),
        (encode(job() | {"specversion": "0.3"}), b"c-1", "specversion"),
        (encode(job() | {"id": ""}), b"c-1", "id"),
        (encode(job(status="exploded")), b"c-1", "data.status"),
        (encode(job(ended_at=None)), b"c-1", "ended_at is required"),
        (encode(job(bytes_transferred=-1)), b"c-1", "data.bytes_transferred"),
        (encode(job()), b"c-2", "differs from the message key"),
        (encode(job()), None, "differs from the message key"),
    ],
)
def test_malformed_events_are_invalid_with_a_reason(
    value: bytes, key: bytes | None, reason: str
) -> None:
    with pytest.raises(InvalidEvent) as caught:
        decode_event(value, key, topics.BACKUP_JOBS)
    assert reason in caught.value.reason


def test_unknown_types_are_told_apart_from_invalid_events() -> None:
    with pytest.raises(UnknownEventType):
        decode_event(encode(job() | {"type": "com.msc.backup.job.v2"}), b"c-1", topics.BACKUP_JOBS)
    with pytest.raises(UnknownEventType):
        decode_event(encode(job()), b"c-1", topics.BACKUP_ALERTS)


def test_rpo_and_usage_bounds() -> None:
    upserted = {"backup_set_id": "bs", "name": "n", "workload": "VMware", "rpo_hours": 8761}
    base = job() | {"type": events.BACKUP_SET_UPSERTED, "data": upserted}
    with pytest.raises(InvalidEvent):
        decode_event(encode(base), b"c-1", topics.BACKUP_SETS)
    upserted["rpo_hours"] = 1
    assert decode_event(encode(base), b"c-1", topics.BACKUP_SETS).data.rpo_hours == 1
    usage = {"date": "2026-11-27", "credits_consumed": -1, "storage_bytes": 5}
    with pytest.raises(InvalidEvent):
        decode_event(
            encode(job() | {"type": events.USAGE_REPORTED, "data": usage}),
            b"c-1",
            topics.BACKUP_USAGE,
        )


NOW = dt.datetime(2026, 11, 28, 5, 0, tzinfo=dt.UTC)


def with_data(event_type: str, data: dict[str, object]) -> dict[str, object]:
    return job() | {"type": event_type, "data": data}


def usage(**changes: object) -> dict[str, object]:
    data = {"date": "2026-11-27", "credits_consumed": 1.5, "storage_bytes": 5} | changes
    return with_data(events.USAGE_REPORTED, data)


def upserted(**changes: object) -> dict[str, object]:
    data = {"backup_set_id": "bs", "name": "n", "workload": "VMware"} | changes
    return with_data(events.BACKUP_SET_UPSERTED, data)


def alert(**changes: object) -> dict[str, object]:
    data = {"alert_id": "a", "severity": "info", "alert_type": "t", "message": "m"} | changes
    return with_data(events.ALERT_RAISED, data)


def deleted(customer_id: str) -> dict[str, object]:
    return with_data(events.CUSTOMER_DELETED, {"customer_id": customer_id})


LATEST = (NOW + events.CLOCK_SKEW).isoformat()
TOO_LATE = (NOW + events.CLOCK_SKEW + dt.timedelta(seconds=1)).isoformat()


@pytest.mark.parametrize(
    ("event", "topic", "accepted"),
    [
        # timestamps: 2000-01-01 to now + 1 day, on the envelope and in the job
        (job() | {"time": "2000-01-01T00:00:00Z"}, topics.BACKUP_JOBS, True),
        (job() | {"time": "1999-12-31T23:59:59Z"}, topics.BACKUP_JOBS, False),
        (job() | {"time": LATEST}, topics.BACKUP_JOBS, True),
        (job() | {"time": TOO_LATE}, topics.BACKUP_JOBS, False),
        (job(ended_at="1970-01-01T00:00:00Z"), topics.BACKUP_JOBS, False),
        (job(started_at="9999-12-31T00:00:00Z"), topics.BACKUP_JOBS, False),
        (usage(date="1999-12-31"), topics.BACKUP_USAGE, False),
        (usage(date=(NOW + dt.timedelta(days=2)).date().isoformat()), topics.BACKUP_USAGE, False),
        # numbers finite and storable
        (usage(credits_consumed=1e12), topics.BACKUP_USAGE, True),
        (usage(credits_consumed=1e309), topics.BACKUP_USAGE, False),
        (usage(credits_consumed=float("nan")), topics.BACKUP_USAGE, False),
        (usage(storage_bytes=10**18), topics.BACKUP_USAGE, True),
        (usage(storage_bytes=2**63), topics.BACKUP_USAGE, False),
        (job(bytes_transferred=10**19), topics.BACKUP_JOBS, False),
        # strings: valid Unicode, no control characters in names, bounded
        (upserted(name="\ud800"), topics.BACKUP_SETS, False),
        (upserted(name="HQ\x00"), topics.BACKUP_SETS, False),
        (upserted(name="HQ\nfiles"), topics.BACKUP_SETS, False),
        (upserted(name="Zürich 東京 ✓"), topics.BACKUP_SETS, True),
        (upserted(name="n" * bounds.MAX_NAME_CHARS), topics.BACKUP_SETS, True),
        (upserted(name="n" * (bounds.MAX_NAME_CHARS + 1)), topics.BACKUP_SETS, False),
        (upserted(backup_set_id="b" * (bounds.MAX_ID_CHARS + 1)), topics.BACKUP_SETS, False),
        (alert(message="line one\nline two\ttab"), topics.BACKUP_ALERTS, True),
        (alert(message="bell\x07"), topics.BACKUP_ALERTS, False),
        (alert(message="m" * (bounds.MAX_TEXT_CHARS + 1)), topics.BACKUP_ALERTS, False),
        (job(error_message="e" * (bounds.MAX_TEXT_CHARS + 1)), topics.BACKUP_JOBS, False),
        (job() | {"customerid": "c-1\x1b"}, topics.BACKUP_JOBS, False),
        # a customer named in data must be the event's own
        (deleted("c-1"), topics.CUSTOMER_EVENTS, True),
        (deleted("c-2"), topics.CUSTOMER_EVENTS, False),
    ],
)
def test_limits_of_what_an_event_may_carry(
    event: dict[str, object], topic: str, accepted: bool
) -> None:
    key = str(event["customerid"]).encode()
    if accepted:
        decode_event(encode(event), key, topic, now=NOW)
    else:
        with pytest.raises(InvalidEvent):
            decode_event(encode(event), key, topic, now=NOW)


def test_records_too_large_or_too_deep_never_raise_anything_but_invalid() -> None:
    """Too large: refused unread. Too deep: Python 3.11's parser refuses it (`nested too
    deeply`); 3.12+ parse it, and then the schema decides: a deep array is not an event, and
    a deep field the contract does not know is ignored like any unknown field."""
    with pytest.raises(InvalidEvent, match="more than"):
        decode_event(b" " * (events.MAX_EVENT_BYTES + 1), b"c-1", topics.BACKUP_JOBS)
    with pytest.raises(InvalidEvent):
        decode_event(b"[" * 3000 + b"]" * 3000, b"c-1", topics.BACKUP_JOBS)
    deep_inside = encode(job() | {"extension": "DEEP"}).replace(
        b'"DEEP"', b'{"n":' * 3000 + b"1" + b"}" * 3000
    )
    try:
        event = decode_event(deep_inside, b"c-1", topics.BACKUP_JOBS)
    except InvalidEvent as exc:
        assert "nested too deeply" in exc.reason
    else:
        assert event.data.job_id == "j-1"
