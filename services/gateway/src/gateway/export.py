"""CSV exports of the customers list (with health) and of a customer's backup set table,
streamed a page at a time: the first page is asked for before the answer starts, so an
error is still a proper status; the rest follows as it comes.

A cell that a spreadsheet would take for a formula (`=`, `+`, `-`, `@`, tab, carriage
return first) is written with a leading `'`: exported names come from customers and agents.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator, Iterable, Mapping
from typing import Any

from gateway.compose import Services, customer_sla, customers_with_health
from msc_contracts.http import portal

CUSTOMER_COLUMNS = tuple(portal.CustomerListEntry.model_fields)
"""The customers list's row, health included, as the API documents it."""
SET_COLUMNS = (
    "backup_set_id",
    "name",
    "workload",
    "rpo_hours",
    "rpo_status",
    "last_successful_backup_at",
    "last_backup_status",
    "last_backup_started_at",
    "last_backup_ended_at",
    "last_restore_status",
    "last_restore_started_at",
    "open_alerts",
    "last_failure_ended_at",
    "last_failure_error_code",
    "last_failure_error_message",
)
PAGE = 200
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_lines(rows: Iterable[Iterable[Any]]) -> bytes:
    """Rows as CSV (RFC 4180 quoting), formula-like text cells defused, lists of words
    written apart by spaces."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow(
            _defused(" ".join(cell) if isinstance(cell, list) else cell) for cell in row
        )
    return out.getvalue().encode()


def _defused(cell: Any) -> Any:
    return f"'{cell}" if isinstance(cell, str) and cell.startswith(FORMULA_STARTS) else cell


async def customers_csv(found: Services, search: dict[str, str]) -> AsyncIterator[bytes]:
    """Every customer the list's `search` (`q`, `group`) matches, with health: the first
    page already asked."""
    params: dict[str, Any] = {"limit": PAGE} | search
    page = await customers_with_health(found, params)

    async def pages() -> AsyncIterator[bytes]:
        current = page
        yield csv_lines([CUSTOMER_COLUMNS])
        while True:
            yield csv_lines([[item.get(c) for c in CUSTOMER_COLUMNS] for item in current["items"]])
            if not current.get("next_cursor"):
                return
            current = await customers_with_health(
                found, params | {"cursor": current["next_cursor"]}
            )

    return pages()


def _set_row(item: Mapping[str, Any]) -> list[Any]:
    backup, restore = item.get("last_backup") or {}, item.get("last_restore") or {}
    failure = item.get("last_failure") or {}
    return [
        item["backup_set_id"],
        item.get("name"),
        item.get("workload"),
        item.get("rpo_hours"),
        item.get("rpo_status"),
        item.get("last_successful_backup_at"),
        backup.get("status"),
        backup.get("started_at"),
        backup.get("ended_at"),
        restore.get("status"),
        restore.get("started_at"),
        item.get("open_alerts"),
        failure.get("ended_at"),
        failure.get("error_code"),
        failure.get("error_message"),
    ]


async def backup_sets_csv(found: Services, customer_id: str, window: str) -> AsyncIterator[bytes]:
    """Every backup set of the customer: the first page already asked."""
    first = _decode(await customer_sla(found, customer_id, window))

    async def pages() -> AsyncIterator[bytes]:
        current = first
        yield csv_lines([SET_COLUMNS])
        while True:
            sets = current["backup_sets"]
            yield csv_lines(_set_row(item) for item in sets["items"])
            if not sets.get("next_cursor"):
                return
            answer = await customer_sla(found, customer_id, window, sets["next_cursor"])
            current = _decode(answer)

    return pages()


def _decode(body: bytes) -> dict[str, Any]:
    decoded: dict[str, Any] = json.loads(body)
    return decoded
