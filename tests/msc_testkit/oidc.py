"""Real tokens from the test session's OpenID provider without a browser: the password grant
of the demo realms' `msc-tests` client, for a demo user of `deploy/local/keycloak/`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from msc_local.provider import TEST_CLIENT, KeycloakAdmin, OpenIdProvider, demo_users, realm_issuer

FOREIGN_REALM = "other"
"""A realm of the same Keycloak whose keys the `msc` realm does not have (user `intruder`)."""


@dataclass(frozen=True)
class Tokens:
    """What the provider's token endpoint answered."""

    access_token: str
    id_token: str
    refresh_token: str


def discovery(issuer_url: str) -> dict[str, Any]:
    """The issuer's OpenID configuration (`/.well-known/openid-configuration`)."""
    answer = httpx.get(f"{issuer_url}/.well-known/openid-configuration", timeout=10)
    answer.raise_for_status()
    configuration: dict[str, Any] = answer.json()
    return configuration


def tokens_for(provider: OpenIdProvider, username: str, realm: str = "msc") -> Tokens:
    """Tokens of a demo user of `realm` (`msc`, or FOREIGN_REALM), signed in with its demo
    password."""
    (password,) = (user.password for user in demo_users(realm) if user.username == username)
    issuer = realm_issuer(provider.issuer_url, realm)
    form = {
        "grant_type": "password",
        "client_id": TEST_CLIENT,
        "username": username,
        "password": password,
        "scope": "openid",
    }
    answer = httpx.post(discovery(issuer)["token_endpoint"], data=form, timeout=10)
    answer.raise_for_status()
    body = answer.json()
    return Tokens(body["access_token"], body["id_token"], body["refresh_token"])


def assign_customer(
    admin: KeycloakAdmin | None, customer_id: str, username: str = "customer"
) -> None:
    """Make a demo user the person of this customer: its next tokens carry `customer_id`."""
    assert admin is not None, (
        "binding a demo user to a customer needs the provider's admin API: the local Keycloak, "
        "or KC_BOOTSTRAP_ADMIN_USERNAME and KC_BOOTSTRAP_ADMIN_PASSWORD with OIDC_ISSUER_URL"
    )
    admin.set_user_attribute("msc", username, "customer_id", [customer_id])
