"""What a dead letter holds: cut to fit the broker's limit, or its coordinates alone.

A dead letter is the refused record's key and value, its coordinates and reason in
headers, and its trace context. The record itself may be as large as the broker accepts,
so its copy plus those headers may not be: the key and value are cut to leave room
(`x-dlq-key-truncated` and `x-dlq-truncated` say so, with the original sizes). When even
that cannot be published (a topic smaller than the setting says, an authorization error),
the fallback is a minimal dead letter that fits any broker: coordinates and reason only.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiokafka import ConsumerRecord
from aiokafka.record.default_records import DefaultRecordBatchBuilder

from msc_contracts.topics import dead_letter_topic
from msc_platform.tracing import trace_headers

RECORD_RESERVE_BYTES = 1024
"""Room kept below the limit for what the client adds (FastStream's `content-type` and
`correlation_id` headers), the truncation headers themselves, and slack over aiokafka's
estimate of a record's size."""

MAX_CUT_KEY_BYTES = 1024
"""What is kept of a key when the record does not fit whole: a contract key (a customer
id) is far shorter, so a longer one is garbage whose start is enough to recognise it."""

MAX_REASON_BYTES = 1000
"""Longest reason carried in `x-dlq-reason` (UTF-8 bytes)."""


@dataclass(frozen=True)
class OutgoingLetter:
    """A dead letter ready to publish."""

    topic: str
    key: bytes | None
    value: bytes
    headers: dict[str, str]


def fitted_dead_letter(
    record: ConsumerRecord[bytes, bytes], reason: str, max_message_bytes: int
) -> OutgoingLetter:
    """The record's dead letter, its key and value cut so that it fits `max_message_bytes`."""
    headers = _coordinates(record, reason)
    # The dead letter stays in the trace of the record it holds.
    headers.update((k, v.decode("latin-1")) for k, v in trace_headers(record.headers))
    key, value = record.key or b"", record.value or b""
    overhead = DefaultRecordBatchBuilder.estimate_size_in_bytes(b"", b"", _encoded(headers))
    room = max(max_message_bytes - RECORD_RESERVE_BYTES - overhead, 0)
    if len(key) + len(value) > room:
        if len(key) > MAX_CUT_KEY_BYTES:
            headers["x-dlq-key-truncated"] = _cut(len(key), MAX_CUT_KEY_BYTES)
            key = key[:MAX_CUT_KEY_BYTES]
        value_room = max(room - len(key), 0)
        if len(value) > value_room:
            headers["x-dlq-truncated"] = _cut(len(value), value_room)
            value = value[:value_room]
    kept_key = None if record.key is None else key
    return OutgoingLetter(dead_letter_topic(record.topic), kept_key, value, headers)


def minimal_dead_letter(
    record: ConsumerRecord[bytes, bytes], reason: str, refused: str
) -> OutgoingLetter:
    """The fallback when the fitted dead letter was refused for good: the record's
    coordinates and reason, and why its full copy could not be published."""
    headers = _coordinates(record, reason)
    headers["x-dlq-minimal"] = _bounded(f"the full dead letter was refused: {refused}")
    headers["x-original-key-bytes"] = str(len(record.key or b""))
    headers["x-original-value-bytes"] = str(len(record.value or b""))
    return OutgoingLetter(dead_letter_topic(record.topic), None, b"", headers)


def _coordinates(record: ConsumerRecord[bytes, bytes], reason: str) -> dict[str, str]:
    return {
        "x-dlq-reason": _bounded(reason),
        "x-original-topic": record.topic,
        "x-original-partition": str(record.partition),
        "x-original-offset": str(record.offset),
    }


def _bounded(text: str) -> str:
    """`text` cut to `MAX_REASON_BYTES` of UTF-8 (a reason may quote any character)."""
    return text.encode("utf-8", "replace")[:MAX_REASON_BYTES].decode("utf-8", "ignore")


def _cut(size: int, kept: int) -> str:
    return f"{size} bytes cut to {kept}"


def _encoded(headers: dict[str, str]) -> list[tuple[str, bytes | None]]:
    return [(k, v.encode()) for k, v in headers.items()]


def where(record: ConsumerRecord[bytes, bytes]) -> str:
    """A record's coordinates as log lines name them: `topic[partition]@offset`."""
    return f"{record.topic}[{record.partition}]@{record.offset}"
