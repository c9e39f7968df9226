"""The OpenID provider of `make run` and of the tests: the Keycloak that `deploy/local/infra.sh`
runs with the demo realms of `deploy/local/keycloak/`, or the provider OIDC_ISSUER_URL names."""

from __future__ import annotations

import json
import os
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from msc_local.processes import ROOT

REALMS = ROOT / "deploy" / "local" / "keycloak"
"""The demo realm files, `<realm>-realm.json`: `msc` and `other` (tests: a foreign realm)."""
PORTAL_CLIENT = "msc-portal"
"""The confidential client the gateway signs people in with (code flow, PKCE S256)."""
TEST_CLIENT = "msc-tests"
"""The demo realms' client with the password grant: tokens for tests and scripts, no browser."""
AUDIENCE = "msc-gateway"
"""The `aud` of every access token the demo realms issue to their clients."""


@dataclass(frozen=True)
class OpenIdProvider:
    """What the gateway needs to sign people in and to verify their tokens."""

    issuer_url: str
    client_secret: str
    client_id: str = PORTAL_CLIENT
    audience: str = AUDIENCE

    @property
    def env(self) -> dict[str, str]:
        """The gateway's variables for it."""
        return {
            "OIDC_ISSUER_URL": self.issuer_url,
            "OIDC_CLIENT_ID": self.client_id,
            "OIDC_CLIENT_SECRET": self.client_secret,
            "OIDC_AUDIENCE": self.audience,
        }

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> OpenIdProvider | None:
        """The provider OIDC_ISSUER_URL names (OIDC_CLIENT_SECRET, OIDC_CLIENT_ID and
        OIDC_AUDIENCE with it, the last two defaulting to the demo realm's), or None."""
        if not environ.get("OIDC_ISSUER_URL"):
            return None
        return cls(
            environ["OIDC_ISSUER_URL"],
            environ.get("OIDC_CLIENT_SECRET", ""),
            environ.get("OIDC_CLIENT_ID", PORTAL_CLIENT),
            environ.get("OIDC_AUDIENCE", AUDIENCE),
        )


def keycloak_url(issuer_url: str) -> str:
    """The Keycloak a realm's issuer URL belongs to."""
    base, found, _ = issuer_url.rstrip("/").rpartition("/realms/")
    if not found:
        raise ValueError(f"{issuer_url} is not the issuer of a Keycloak realm (.../realms/<name>)")
    return base


def realm_issuer(issuer_url: str, realm: str) -> str:
    """The issuer of another realm of the Keycloak that `issuer_url` belongs to."""
    return f"{keycloak_url(issuer_url)}/realms/{realm}"


@dataclass(frozen=True)
class DemoUser:
    """A user of a demo realm and its documented demo password."""

    username: str
    password: str
    groups: tuple[str, ...]
    customer_groups: tuple[str, ...] = ()
    """The customer groups it is restricted to (attribute `msc_customer_groups`); none: all."""

    @property
    def role(self) -> str:
        """Its groups, and its restriction if it has one."""
        restriction = f" (customer groups {', '.join(self.customer_groups)} only)"
        return ", ".join(self.groups) + (restriction if self.customer_groups else "")


def demo_users(realm: str = "msc") -> list[DemoUser]:
    """The users of a demo realm, as its realm file defines them."""
    definition = json.loads((REALMS / f"{realm}-realm.json").read_text())
    return [
        DemoUser(
            user["username"],
            user["credentials"][0]["value"],
            tuple(user["groups"]),
            tuple(user.get("attributes", {}).get("msc_customer_groups", ())),
        )
        for user in definition["users"]
    ]


@dataclass(frozen=True)
class KeycloakAdmin:
    """Keycloak's admin REST API, as its bootstrap admin: what setting up a demo needs."""

    url: str
    username: str
    password: str

    def set_user_attribute(self, realm: str, username: str, name: str, values: list[str]) -> None:
        """Give a user's attribute (e.g. `customer_id`) these values; its next tokens carry them."""
        headers = {"Authorization": f"Bearer {self._token()}"}
        query = urllib.parse.urlencode({"username": username, "exact": "true"})
        (user,) = self._call("GET", f"/admin/realms/{realm}/users?{query}", headers)
        user["attributes"] = user.get("attributes", {}) | {name: values}
        self._call("PUT", f"/admin/realms/{realm}/users/{user['id']}", headers, user)

    def _token(self) -> str:
        form = {
            "grant_type": "password",
            "client_id": "admin-cli",
            "username": self.username,
            "password": self.password,
        }
        body = urllib.parse.urlencode(form).encode()
        request = urllib.request.Request(
            f"{self.url}/realms/master/protocol/openid-connect/token", body, method="POST"
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            return str(json.load(answer)["access_token"])

    def _call(self, method: str, path: str, headers: dict[str, str], body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"{self.url}{path}",
            data,
            headers | {"Content-Type": "application/json"},
            method=method,
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            text = answer.read()
        return json.loads(text) if text else None


@dataclass(frozen=True)
class LocalKeycloak:
    """The Keycloak `infra.sh` runs under a data directory, and the secrets it keeps there."""

    data_dir: Path
    port: int

    @property
    def url(self) -> str:
        """Where it listens (the admin console is at /admin/)."""
        return f"http://127.0.0.1:{self.port}"

    def issuer(self, realm: str = "msc") -> str:
        """A demo realm's issuer URL."""
        return f"{self.url}/realms/{realm}"

    def secrets(self) -> dict[str, str]:
        """`KC_BOOTSTRAP_ADMIN_USERNAME`, `KC_BOOTSTRAP_ADMIN_PASSWORD`, `OIDC_CLIENT_SECRET`."""
        lines = (self.data_dir / "keycloak" / "secrets.env").read_text().splitlines()
        return dict(line.split("=", 1) for line in lines if "=" in line)

    def provider(self) -> OpenIdProvider:
        """The demo realm `msc` as the gateway uses it."""
        return OpenIdProvider(self.issuer(), self.secrets()["OIDC_CLIENT_SECRET"])

    def admin(self) -> KeycloakAdmin:
        """Its admin API."""
        secrets = self.secrets()
        return KeycloakAdmin(
            self.url,
            secrets["KC_BOOTSTRAP_ADMIN_USERNAME"],
            secrets["KC_BOOTSTRAP_ADMIN_PASSWORD"],
        )
