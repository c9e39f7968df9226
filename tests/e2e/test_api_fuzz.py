"""Schemathesis over the gateway's OpenAPI document against the running services: whatever
it sends within the schema and past it, no answer is a 5xx, every answer's status, media
type and body are the documented ones (problems as `application/problem+json`)."""

from __future__ import annotations

import uuid

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import negative_data_rejection, positive_data_acceptance

from gateway.config import Settings
from gateway.main import create_app
from tests.e2e.conftest import System

# The document the gateway publishes (built, not fetched: the schema is needed to collect
# the tests, before the system runs); the calls go to the running gateway.
schema = schemathesis.openapi.from_dict(create_app(Settings(jwt_secret="x" * 40)).openapi())


FREE_TEXT_QUERY = {"q", "cursor"}


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_gateway_answers_as_documented_whatever_it_is_sent(
    case: schemathesis.Case, system: System
) -> None:
    excluded = [positive_data_acceptance]
    if FREE_TEXT_QUERY & set(case.query or {}):
        # A "wrong type" for a free-text query parameter (a number for `q`) is still text
        # once in a URL: nothing to refuse. The ranges of the other query values are
        # checked one by one in the gateway's unit tests (`test_query_values_out_of_...`).
        excluded.append(negative_data_rejection)
    case.call_and_validate(
        base_url=system.gateway_url,
        headers=system.headers("msp_admin"),
        # A schema-valid request may still be refused with a documented 422 for what the
        # schema cannot say: a cursor not from this list, a storage region not configured.
        excluded_checks=excluded,
    )


@pytest.fixture(scope="module")
def existing(system: System) -> dict[str, str]:
    """A customer with a contact, created through the gateway, for the fuzzer to change."""
    body = {
        "account": {"name": f"Fuzzed {uuid.uuid4().hex[:8]}"},
        "service_plan": {
            "plan": "Standard",
            "storage_region": "us-east-1",
            "tenant_type": "commercial",
            "edition": "business",
        },
        "contacts": [{"name": "Dana", "email": "dana@fuzz.example"}],
    }
    created = httpx.post(
        f"{system.gateway_url}/api/v1/customers", json=body, headers=system.headers(), timeout=10
    )
    assert created.status_code == 201, created.text
    customer = created.json()
    return {"customer_id": customer["id"], "contact_id": customer["contacts"][0]["id"]}


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_an_existing_customer_changed_by_the_fuzzer_answers_as_documented(
    case: schemathesis.Case, system: System, existing: dict[str, str]
) -> None:
    """The same, on a customer that exists: writes go through (`If-Match: *`) with
    whatever bodies the fuzzer makes, so the success answers are checked too."""
    if case.path_parameters:
        case.path_parameters.update(
            {k: v for k, v in existing.items() if k in case.path_parameters}
        )
    case.call_and_validate(
        base_url=system.gateway_url,
        headers=system.headers("msp_admin") | {"If-Match": "*"},
        # Also allowed here: the `If-Match: *` sent makes writes the fuzzer meant to spoil
        # go through.
        excluded_checks=[positive_data_acceptance, negative_data_rejection],
    )
