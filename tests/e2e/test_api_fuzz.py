"""Schemathesis over the gateway's OpenAPI document against the running services: whatever
it sends within the schema and past it, no answer is a 5xx, every answer's status, media
type and body are the documented ones (problems as `application/problem+json`)."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from gateway.config import Settings
from gateway.main import create_app
from tests.e2e.conftest import System

# The document the gateway publishes (built, not fetched: the schema is needed to collect
# the tests, before the system runs); the calls go to the running gateway.
schema = schemathesis.openapi.from_dict(create_app(Settings(jwt_secret="x" * 40)).openapi())


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_gateway_answers_as_documented_whatever_it_is_sent(
    case: schemathesis.Case, system: System
) -> None:
    case.call_and_validate(
        base_url=system.gateway_url,
        headers=system.headers("msp_admin"),
        # A schema-valid request may still be refused with a documented 422 for what the
        # schema cannot say: a cursor not from this list, a storage region not configured.
        excluded_checks=[positive_data_acceptance],
    )
