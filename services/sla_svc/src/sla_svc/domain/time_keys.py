"""Fixed-width UTC time strings: they sort like the instants they name."""

from __future__ import annotations

import datetime as dt


def instant(value: dt.datetime) -> str:
    """`YYYY-MM-DDTHH:MM:SS,ffffffZ` in UTC (a comma, so it can be a document key)."""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S,%fZ")


def from_instant(key: str) -> dt.datetime:
    """The datetime an instant key names."""
    return dt.datetime.strptime(key, "%Y-%m-%dT%H:%M:%S,%fZ").replace(tzinfo=dt.UTC)


def hour_of(key: str) -> str:
    """The hour bucket (`YYYY-MM-DDTHH`) of an instant key."""
    return key[:13]


def hour_start(hour: str) -> dt.datetime:
    """The first instant of an hour bucket."""
    return dt.datetime.strptime(hour, "%Y-%m-%dT%H").replace(tzinfo=dt.UTC)


def hour_key(value: dt.datetime) -> str:
    """The hour bucket of a datetime."""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H")


def event_order(time: dt.datetime, event_id: str) -> str:
    """Orders events by `time`, then by `id` as a string (the contract's tie rule)."""
    return f"{instant(time)}|{event_id}"


def rfc3339(key: str) -> str:
    """The RFC 3339 text of an instant key (fraction only when not zero)."""
    whole, fraction = key[:-1].split(",")
    return f"{whole}Z" if not fraction.strip("0") else f"{whole}.{fraction}Z"
