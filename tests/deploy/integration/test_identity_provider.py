"""The test session's OpenID provider (the local Keycloak with the demo realms) issues what the
gateway is built to verify: RS256 tokens with a `kid` from the JWKS, the `msc` realm's issuer,
the audience `msc-gateway`, the person's groups and customer claims."""

from __future__ import annotations

import base64
import hashlib
import secrets
import urllib.parse
from typing import Any

import httpx
import jwt
import pytest

from msc_local.provider import AUDIENCE, PORTAL_CLIENT, TEST_CLIENT, demo_users
from msc_testkit.infrastructure import Endpoints
from msc_testkit.oidc import FOREIGN_REALM, assign_customer, discovery, tokens_for

CLAIMS_OF = {
    "admin": {"groups": ["msc-admins"]},
    "viewer": {"groups": ["msc-viewers"]},
    "customer": {"groups": ["msc-customers"], "customer_id": True},
    "reseller": {"groups": ["msc-admins"], "msc_customer_groups": ["reseller-a"]},
}
"""What each demo user's tokens say of it (`customer_id`: present, its value bound per test)."""


def verified(endpoints: Endpoints, token: str, audience: str = AUDIENCE) -> dict[str, Any]:
    """The claims of a token whose signature, issuer, audience and lifetime check out against
    the `msc` realm's JWKS."""
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "RS256" and header["kid"]
    keys = jwt.PyJWKClient(discovery(endpoints.provider.issuer_url)["jwks_uri"])
    claims: dict[str, Any] = jwt.decode(
        token,
        keys.get_signing_key(header["kid"]).key,
        algorithms=["RS256"],
        audience=audience,
        issuer=endpoints.provider.issuer_url,
        options={"require": ["exp", "iat", "iss", "aud", "sub"]},
    )
    return claims


def test_the_realm_publishes_its_configuration(infrastructure: Endpoints) -> None:
    configuration = discovery(infrastructure.provider.issuer_url)
    assert configuration["issuer"] == infrastructure.provider.issuer_url
    assert "S256" in configuration["code_challenge_methods_supported"]
    assert "RS256" in configuration["id_token_signing_alg_values_supported"]
    assert configuration["end_session_endpoint"].startswith(infrastructure.provider.issuer_url)
    keys = httpx.get(configuration["jwks_uri"], timeout=10).json()["keys"]
    assert any(key["alg"] == "RS256" and key["use"] == "sig" and key["kid"] for key in keys)


@pytest.mark.parametrize("username", sorted(CLAIMS_OF))
def test_each_demo_user_gets_the_claims_the_gateway_reads(
    infrastructure: Endpoints, username: str
) -> None:
    customer_id = f"c-{secrets.token_hex(6)}"
    if username == "customer":
        assign_customer(infrastructure.keycloak, customer_id)
    tokens = tokens_for(infrastructure.provider, username)
    access = verified(infrastructure, tokens.access_token)
    expected = CLAIMS_OF[username]
    assert access["groups"] == expected["groups"]
    assert access.get("msc_customer_groups") == expected.get("msc_customer_groups")
    assert access.get("customer_id") == (customer_id if "customer_id" in expected else None)
    assert access["preferred_username"] == username and access["azp"] == TEST_CLIENT
    assert access["exp"] - access["iat"] == 300  # the realm's access token lifespan
    identity = verified(infrastructure, tokens.id_token, audience=TEST_CLIENT)
    assert identity["groups"] == expected["groups"] and identity["sub"] == access["sub"]
    assert identity.get("customer_id") == access.get("customer_id")


def test_the_demo_users_are_one_per_group_and_the_reseller(infrastructure: Endpoints) -> None:
    assert {user.username: list(user.groups) for user in demo_users()} == {
        name: claims["groups"] for name, claims in CLAIMS_OF.items()
    }


def test_a_token_of_the_other_realm_is_signed_with_a_key_the_msc_realm_lacks(
    infrastructure: Endpoints,
) -> None:
    token = tokens_for(infrastructure.provider, "intruder", FOREIGN_REALM).access_token
    kid = jwt.get_unverified_header(token)["kid"]
    msc_keys = httpx.get(discovery(infrastructure.provider.issuer_url)["jwks_uri"], timeout=10)
    assert kid not in {key["kid"] for key in msc_keys.json()["keys"]}
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["iss"] != infrastructure.provider.issuer_url and claims["aud"] == AUDIENCE
    with pytest.raises(jwt.PyJWKClientError):
        verified(infrastructure, token)


def test_the_portal_client_is_confidential_with_the_secret_given_at_start(
    infrastructure: Endpoints,
) -> None:
    endpoint = discovery(infrastructure.provider.issuer_url)["introspection_endpoint"]
    token = tokens_for(infrastructure.provider, "viewer").access_token
    right = (PORTAL_CLIENT, infrastructure.provider.client_secret)
    answer = httpx.post(endpoint, data={"token": token}, auth=right, timeout=10)
    assert answer.status_code == 200 and answer.json()["active"] is True
    wrong = httpx.post(endpoint, data={"token": token}, auth=(PORTAL_CLIENT, "x"), timeout=10)
    assert wrong.status_code == 401


def test_only_the_test_client_may_trade_a_password_for_tokens(infrastructure: Endpoints) -> None:
    user = demo_users()[0]
    answer = httpx.post(
        discovery(infrastructure.provider.issuer_url)["token_endpoint"],
        data={"grant_type": "password", "username": user.username, "password": user.password},
        auth=(PORTAL_CLIENT, infrastructure.provider.client_secret),
        timeout=10,
    )
    assert answer.status_code in (400, 401) and answer.json()["error"] == "unauthorized_client"


def _authorize(endpoints: Endpoints, redirect_uri: str, **extra: str) -> httpx.Response:
    query = {
        "client_id": PORTAL_CLIENT,
        "response_type": "code",
        "scope": "openid",
        "redirect_uri": redirect_uri,
        "state": secrets.token_urlsafe(8),
        **extra,
    }
    url = discovery(endpoints.provider.issuer_url)["authorization_endpoint"]
    return httpx.get(url, params=query, timeout=10, follow_redirects=False)


def test_the_portal_signs_in_with_pkce_to_a_loopback_callback_on_any_port(
    infrastructure: Endpoints,
) -> None:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    pkce = {"code_challenge": challenge.decode(), "code_challenge_method": "S256"}
    for callback in ("http://127.0.0.1:18080/auth/callback", "http://localhost:8080/auth/callback"):
        login = _authorize(infrastructure, callback, **pkce)
        assert login.status_code == 200 and 'id="kc-form-login"' in login.text
    without_pkce = _authorize(infrastructure, "http://127.0.0.1:8080/auth/callback")
    assert without_pkce.status_code == 302
    error = urllib.parse.parse_qs(urllib.parse.urlsplit(without_pkce.headers["location"]).query)
    assert error["error"] == ["invalid_request"]
    for elsewhere in ("http://evil.example/auth/callback", "http://127.0.0.1:8080/other"):
        assert _authorize(infrastructure, elsewhere, **pkce).status_code == 400


def test_signing_out_returns_to_a_loopback_page_of_the_portal_only(
    infrastructure: Endpoints,
) -> None:
    endpoint = discovery(infrastructure.provider.issuer_url)["end_session_endpoint"]

    def sign_out(to: str) -> httpx.Response:
        query = {"client_id": PORTAL_CLIENT, "post_logout_redirect_uri": to}
        return httpx.get(endpoint, params=query, timeout=10, follow_redirects=False)

    for page in ("http://127.0.0.1:18080/", "http://localhost:8080/signed-out"):
        answer = sign_out(page)
        assert answer.status_code == 302 and answer.headers["location"] == page
    assert sign_out("http://evil.example/").status_code == 400
