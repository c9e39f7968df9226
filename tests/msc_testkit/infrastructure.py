"""Where the suite's infrastructure listens: the test ports, and the endpoints the root
`conftest.py` fixture `infrastructure` yields."""

from __future__ import annotations

from dataclasses import dataclass

from msc_local.processes import Ports
from msc_local.provider import KeycloakAdmin, OpenIdProvider

TEST_PORTS = Ports(
    kafka=19092, mongo=27018, gateway=18080, customer_svc=18081, sla_svc=18082, keycloak=18180
)
"""Apart from `make run`'s, so the tests can run beside it (Keycloak moves to a free port when
another test session holds 18180)."""


@dataclass(frozen=True)
class Endpoints:
    """Where the test infrastructure listens."""

    kafka: str
    mongodb: str
    provider: OpenIdProvider
    """The OpenID provider: the demo realm `msc`'s issuer, the portal client and its secret."""
    keycloak: KeycloakAdmin | None
    """Its admin API (to bind the demo user `customer` to a customer); None for a provider
    OIDC_ISSUER_URL names without KC_BOOTSTRAP_ADMIN_USERNAME and _PASSWORD."""
