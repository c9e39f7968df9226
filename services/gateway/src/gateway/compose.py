"""The customer details view: the Summary from customer_svc and the SLA from sla_svc, asked
in parallel; the Summary is never held back by a slow or failing SLA. For a caller
restricted to customer groups, customer_svc is asked first: sla_svc is asked about a
customer only once customer_svc has answered that the caller may see it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Collection, Coroutine
from dataclasses import dataclass
from typing import Any

from pydantic_core import from_json, to_json

from gateway.upstream import Answer, ServiceUnavailable, Upstream, customer_path
from msc_contracts.http.portal import Summary
from msc_platform.http import groups_header

log = logging.getLogger(__name__)


class CustomerMissing(Exception):
    """customer_svc says the customer does not exist (or was deleted)."""


class UpstreamFailed(Exception):
    """customer_svc answered with an error that is passed through as it is."""

    def __init__(self, response: Answer) -> None:
        super().__init__(response.status_code)
        self.response = response


@dataclass(frozen=True)
class Services:
    """customer_svc and sla_svc, as one caller asks them."""

    customers: Upstream
    sla: Upstream
    restricted: bool = False
    """The caller sees the customers of some groups only: `customers` names them on every
    call (customer_svc answers about any other as if it did not exist), and sla_svc is
    asked about a customer only once customer_svc has answered that it is visible."""

    def restricted_to(self, groups: Collection[str]) -> Services:
        """The services as a caller restricted to `groups` asks them."""
        return Services(self.customers.with_headers(groups_header(groups)), self.sla, True)


@dataclass(frozen=True)
class Details:
    """The composed view (JSON, ready to send) and the customer's ETag."""

    body: bytes
    etag: str | None


async def customer_details(found: Services, customer_id: str, window: str) -> Details:
    """Compose the details view (`CustomerDetails`); the SLA part may be missing (`partial`).

    The Summary is taken from customer_svc's parsed answer (`_summary`); sla_svc's answer,
    already the contract's `SlaPublic` serialized by its model, is passed on as the bytes it
    sent: it is most of the view, and decoding and encoding it again would be most of the
    gateway's work on it.
    """
    customer, sla_result = await _customer_then_sla(
        found.customers.request("GET", customer_path(customer_id)),
        lambda: found.sla.request(
            "GET", customer_path(customer_id, "sla"), params={"window": window}
        ),
        at_once=not found.restricted,
    )
    errors: list[dict[str, str]] = []
    sla_json = b"null"
    if isinstance(sla_result, ServiceUnavailable):
        errors.append({"source": "sla_svc", "message": sla_result.reason})
    elif isinstance(sla_result, BaseException):
        raise sla_result
    elif sla_result.status_code == 200:
        sla_json = sla_result.content
    elif sla_result.status_code == 404:
        raise CustomerMissing(customer_id)
    else:
        errors.append({"source": "sla_svc", "message": f"answered {sla_result.status_code}"})
    body = b"".join(
        (
            b'{"id":',
            to_json(customer_id),
            b',"summary":',
            to_json(_summary(customer)),
            b',"sla":',
            sla_json,
            b',"partial":',
            b"true" if sla_json == b"null" else b"false",
            b',"errors":',
            to_json(errors),
            b"}",
        )
    )
    return Details(body=body, etag=customer.headers.get("ETag"))


SUMMARY_PARTS = tuple(Summary.model_fields)


def _summary(customer: Answer) -> dict[str, Any]:
    """The Summary tab: the parts of customer_svc's `CustomerPublic` that `Summary` names,
    in any order it wrote them (those a customer_svc of the previous release does not
    write, its `groups`, left out). Parsed, not validated again: customer_svc validated its
    answer with the same model on the way out, and validating again costs more than parsing."""
    body = from_json(customer.content)
    return {part: body[part] for part in SUMMARY_PARTS if part in body}


async def customer_sla(
    found: Services,
    customer_id: str,
    window: str,
    cursor: str | None = None,
    table: dict[str, str] | None = None,
) -> bytes:
    """The SLA part alone (a page of backup sets, in the order and with the filter `table`
    names), for a customer that exists."""
    params = {"window": window} | ({"cursor": cursor} if cursor else {}) | (table or {})
    answer = await about_customer(found, customer_id, "GET", ("sla",), params=params)
    return answer.content  # sla_svc's JSON, passed on as it came


async def about_customer(
    found: Services,
    customer_id: str,
    method: str,
    below: tuple[str, ...],
    *,
    params: dict[str, Any] | None = None,
    json: Any = None,
    headers: dict[str, str] | None = None,
) -> Answer:
    """sla_svc's answer to a call about one customer whose existence customer_svc confirms
    (sla_svc keeps figures of customers it has events of, not of customers only). A read is
    asked of both at once (unless the caller is restricted); a change (an acknowledgement,
    which sla_svc publishes) is asked of sla_svc only once customer_svc has answered that
    the customer exists, so that no event is ever published for a customer the directory
    has deleted. A customer missing is `CustomerMissing`; any other failure of sla_svc's is
    passed on as it answered."""
    path = customer_path(customer_id, *below)
    _, result = await _customer_then_sla(
        found.customers.request("GET", customer_path(customer_id)),
        lambda: found.sla.request(method, path, params=params, json=json, headers=headers),
        at_once=method == "GET" and not found.restricted,
    )
    if isinstance(result, BaseException):
        raise result
    if result.status_code >= 300:
        raise UpstreamFailed(result)
    return result


async def _customer_then_sla(
    customer_call: Coroutine[Any, Any, Answer],
    sla_call: Callable[[], Coroutine[Any, Any, Answer]],
    *,
    at_once: bool,
) -> tuple[Answer, Answer | BaseException]:
    """customer_svc's answer about the customer (`CustomerMissing` when it has none) and
    sla_svc's answer or failure: asked together `at_once`, else sla_svc only after
    customer_svc has answered."""
    if at_once:
        both = await asyncio.gather(customer_call, sla_call(), return_exceptions=True)
        return _summary_or_raise(both[0]), both[1]
    confirmed = _summary_or_raise(await customer_call)
    try:
        return confirmed, await sla_call()
    except Exception as exc:  # as `gather` would have returned it
        return confirmed, exc


async def customers_page(found: Services, params: dict[str, Any]) -> bytes:
    """The customers list with `sla_health`, asked of sla_svc in one call for the whole page."""
    return to_json(await customers_with_health(found, params))


async def customers_with_health(found: Services, params: dict[str, Any]) -> dict[str, Any]:
    """A page of customers (`items`, `next_cursor`), each with its `sla_health`: of the
    caller's groups only when it is restricted, so the health asked for is theirs only."""
    page = await found.customers.request("GET", "/api/v1/customers", params=params)
    if page.status_code != 200:
        raise UpstreamFailed(page)
    body: dict[str, Any] = page.json()
    ids = [item["id"] for item in body["items"]]
    health: dict[str, str] = {}
    if ids:
        try:
            answer = await found.sla.request(
                "POST", "/api/v1/sla-health", json={"customer_ids": ids}
            )
            if answer.status_code == 200:
                health = answer.json()["items"]
            else:
                log.warning("sla_svc answered %s to sla-health", answer.status_code)
        except ServiceUnavailable as exc:
            log.warning("customers list without health badges: %s", exc)
    for item in body["items"]:
        item["sla_health"] = health.get(item["id"], "unknown")
    return body


def _summary_or_raise(result: Answer | BaseException) -> Answer:
    if isinstance(result, BaseException):
        raise result
    if result.status_code == 404:
        raise CustomerMissing()
    if result.status_code != 200:
        raise UpstreamFailed(result)
    return result
