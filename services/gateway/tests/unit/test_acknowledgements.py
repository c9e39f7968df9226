"""An acknowledgement reaches sla_svc (which publishes it) only for a customer customer_svc
says exists; the reads about a customer still ask both services at once."""

from __future__ import annotations

import asyncio

import httpx
from aiohttp import web

from services.gateway.tests.fakes import SUMMARY, Call, Services, auth, reply

ACKNOWLEDGE = "/api/v1/customers/c-1/alerts/acknowledgements"
ACCEPTED = {"alert_id": "a-1", "acknowledged": {"by": "u-1", "at": "2026-11-28T05:00:00Z"}}


def sla_asked_to_acknowledge(services: Services) -> list[Call]:
    return [c for c in services.calls if c.service == "sla_svc" and c.method == "POST"]


async def test_no_acknowledgement_is_asked_for_a_deleted_customer(
    client: httpx.AsyncClient, services: Services
) -> None:
    services.customer = lambda call: reply(404, {"title": "Not found"})
    services.sla = lambda call: reply(202, ACCEPTED)

    answer = await client.post(ACKNOWLEDGE, json={"alert_id": "a-1"}, headers=auth())

    assert answer.status_code == 404
    assert sla_asked_to_acknowledge(services) == []


async def test_the_acknowledgement_waits_for_customer_svc_to_confirm_the_customer(
    client: httpx.AsyncClient, services: Services
) -> None:
    confirmed = asyncio.Event()

    async def customer(call: Call) -> web.Response:
        await asyncio.sleep(0.05)  # a directory that takes its time to answer
        confirmed.set()
        return reply(200, SUMMARY, {"ETag": '"c-1.v3"'})

    def sla(call: Call) -> web.Response:
        assert confirmed.is_set(), "sla_svc asked before customer_svc confirmed the customer"
        return reply(202, ACCEPTED)

    services.customer = customer
    services.sla = sla

    answer = await client.post(ACKNOWLEDGE, json={"alert_id": "a-1"}, headers=auth())

    assert answer.status_code == 202, answer.text
    assert answer.json() == ACCEPTED
    [asked] = sla_asked_to_acknowledge(services)
    assert asked.path == ACKNOWLEDGE


async def test_a_read_about_a_customer_still_asks_both_services_at_once(
    client: httpx.AsyncClient, services: Services
) -> None:
    sla_asked = asyncio.Event()

    async def customer(call: Call) -> web.Response:
        # Answers only once sla_svc has been asked too: asked one after the other, the
        # read would wait here until the gateway's timeout.
        await asyncio.wait_for(sla_asked.wait(), 2)
        return reply(200, SUMMARY, {"ETag": '"c-1.v3"'})

    def sla(call: Call) -> web.Response:
        sla_asked.set()
        return reply(200, {"items": [], "next_cursor": None})

    services.customer = customer
    services.sla = sla

    answer = await client.get("/api/v1/customers/c-1/alerts", headers=auth())

    assert answer.status_code == 200, answer.text
    assert answer.json() == {"items": [], "next_cursor": None}
