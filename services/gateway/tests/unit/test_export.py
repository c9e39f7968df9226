"""CSV exports: every page, health included, formula-like cells defused, errors before the
first byte."""

from __future__ import annotations

import csv
import io

import httpx
from aiohttp import web

from gateway.export import csv_lines
from services.gateway.tests.fakes import Call, Services, auth, reply


def rows(body: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body)))


def test_cells_a_spreadsheet_would_run_are_defused() -> None:
    line = csv_lines([['=HYPERLINK("x")', "+1", "-2", "@SUM(A1)", "Acme, Inc", 3, None]])
    assert rows(line.decode()) == [
        ['\'=HYPERLINK("x")', "'+1", "'-2", "'@SUM(A1)", "Acme, Inc", "3", ""]
    ]


async def test_the_customers_export_follows_every_page_with_health(
    client: httpx.AsyncClient, services: Services
) -> None:
    def customers(call: Call) -> web.Response:
        if call.params.get("cursor") == "p2":
            return reply(
                200, {"items": [{"id": "c-3", "name": "=cmd|' /C calc'!A0"}], "next_cursor": None}
            )
        return reply(
            200,
            {
                "items": [{"id": "c-1", "name": "Acme"}, {"id": "c-2", "name": "Globex"}],
                "next_cursor": "p2",
            },
        )

    services.customer = customers
    services.sla = lambda call: reply(200, {"items": {"c-1": "ok", "c-3": "critical"}})
    answer = await client.get("/api/v1/customers.csv", headers=auth("msp_viewer"))
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert 'filename="customers.csv"' in answer.headers["content-disposition"]
    table = rows(answer.text)
    assert table[0][:2] == ["id", "name"] and table[0][-1] == "sla_health"
    assert [(r[0], r[1], r[-1]) for r in table[1:]] == [
        ("c-1", "Acme", "ok"),
        ("c-2", "Globex", "unknown"),
        ("c-3", "'=cmd|' /C calc'!A0", "critical"),
    ]


async def test_an_export_that_cannot_start_is_an_error_not_an_empty_file(
    client: httpx.AsyncClient, services: Services
) -> None:
    await services.stop("customer_svc")
    answer = await client.get("/api/v1/customers.csv", headers=auth("msp_admin"))
    assert answer.status_code == 503
    assert answer.headers["content-type"] == "application/problem+json"
