"""The demo realms' choices that need no Keycloak: who may use which grant, what is secret,
how long sessions last (the integration tests check what a running Keycloak makes of them)."""

from __future__ import annotations

import json
from typing import Any

from msc_local.provider import PORTAL_CLIENT, REALMS, TEST_CLIENT


def realm(name: str) -> dict[str, Any]:
    definition: dict[str, Any] = json.loads((REALMS / f"{name}-realm.json").read_text())
    return definition


def clients(name: str) -> dict[str, dict[str, Any]]:
    return {client["clientId"]: client for client in realm(name)["clients"]}


def test_the_portal_client_is_confidential_with_pkce_and_a_secret_given_at_start() -> None:
    portal = clients("msc")[PORTAL_CLIENT]
    assert portal["publicClient"] is False and portal["secret"] == "${OIDC_CLIENT_SECRET}"
    assert portal["standardFlowEnabled"] is True
    assert portal["attributes"]["pkce.code.challenge.method"] == "S256"
    assert not portal["directAccessGrantsEnabled"] and not portal["implicitFlowEnabled"]
    assert set(portal["redirectUris"]) == {
        "http://127.0.0.1/auth/callback",  # loopback: Keycloak accepts any port (RFC 8252)
        "http://localhost/auth/callback",
    }


def test_only_the_test_clients_trade_a_password_for_tokens() -> None:
    for name in ("msc", "other"):
        grants = {
            client_id: client.get("directAccessGrantsEnabled", False)
            for client_id, client in clients(name).items()
        }
        assert {client_id for client_id, on in grants.items() if on} == {TEST_CLIENT}
        assert clients(name)[TEST_CLIENT]["standardFlowEnabled"] is False


def test_the_test_client_carries_the_portal_clients_claims() -> None:
    msc = clients("msc")
    assert msc[TEST_CLIENT]["protocolMappers"] == msc[PORTAL_CLIENT]["protocolMappers"]


def test_sessions_and_tokens_last_as_designed() -> None:
    msc = realm("msc")
    assert msc["accessTokenLifespan"] == 5 * 60
    assert msc["ssoSessionIdleTimeout"] == 30 * 60
    assert msc["ssoSessionMaxLifespan"] == 10 * 3600


def test_only_an_admin_sets_a_persons_customer_and_customer_groups() -> None:
    (profile,) = realm("msc")["components"]["org.keycloak.userprofile.UserProfileProvider"]
    (config,) = profile["config"]["kc.user.profile.config"]
    attributes = {attribute["name"]: attribute for attribute in json.loads(config)["attributes"]}
    for name in ("customer_id", "msc_customer_groups"):
        assert attributes[name]["permissions"] == {"view": ["admin"], "edit": ["admin"]}
    assert attributes["msc_customer_groups"]["multivalued"] is True


def test_every_group_a_demo_user_is_in_exists() -> None:
    for name in ("msc", "other"):
        groups = {group["name"] for group in realm(name)["groups"]}
        assert {group for user in realm(name)["users"] for group in user["groups"]} <= groups
