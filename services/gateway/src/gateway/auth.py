"""Portal tokens: HS256 JWTs with `sub`, `role`, `exp` and, for customers, `customer_id`,
verified here (an identity provider issues them; `msc_local.tokens` for dev and tests)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import jwt

from msc_platform.verified_tokens import VerifiedTokens

Role = Literal["msp_admin", "msp_viewer", "customer_viewer"]
ROLES: frozenset[str] = frozenset({"msp_admin", "msp_viewer", "customer_viewer"})


class Unauthenticated(Exception):
    """No token, or a token that is not valid (401)."""


class Forbidden(Exception):
    """A valid token whose role may not do this (403)."""


@dataclass(frozen=True)
class Principal:
    """Who is calling."""

    subject: str
    role: str
    customer_id: str | None = None
    customer_groups: frozenset[str] | None = None

    def may_read(self) -> None:
        """Every role reads; an unknown role does not."""
        if self.role not in ROLES:
            raise Forbidden(f"role {self.role!r} is not a portal role")

    def may_list(self) -> None:
        """Only MSP staff see the customers list."""
        self.require_msp_staff("list customers")

    def require_msp_staff(self, to: str) -> None:
        """Raise `Forbidden` unless the caller is MSP staff (`msp_admin`, `msp_viewer`): only
        they may do `to` (what is not about one customer)."""
        if self.role not in {"msp_admin", "msp_viewer"}:
            raise Forbidden(f"role {self.role} may not {to}")

    def may_write(self) -> None:
        """Only `msp_admin` changes anything."""
        if self.role != "msp_admin":
            raise Forbidden(f"role {self.role} may not change customers")

    def sees_customer(self, customer_id: str) -> bool:
        """False when a customer-scoped token asks about another customer (answered 404)."""
        self.may_read()
        return self.role != "customer_viewer" or self.customer_id == customer_id


def decode(token: str, secret: str) -> tuple[Principal, float]:
    """The principal of a valid token and when the token expires (seconds since the
    epoch); `Unauthenticated` otherwise."""
    try:
        claims = jwt.decode(
            token, secret, algorithms=["HS256"], options={"require": ["exp", "sub", "role"]}
        )
    except jwt.PyJWTError as exc:
        raise Unauthenticated(str(exc)) from exc
    customer_id = claims.get("customer_id")
    if claims["role"] == "customer_viewer" and not customer_id:
        raise Unauthenticated("a customer_viewer token needs a customer_id claim")
    return Principal(str(claims["sub"]), str(claims["role"]), customer_id), float(claims["exp"])


class Authenticator:
    """Decodes portal tokens, each verified once and then remembered until it expires
    (at most `cache_size` tokens: the users signed in at once)."""

    def __init__(self, secret: str, cache_size: int = 10_000) -> None:
        self._secret = secret
        self._verified: VerifiedTokens[Principal] = VerifiedTokens(cache_size)

    def principal(self, token: str) -> Principal:
        """The caller a token names; `Unauthenticated` when it is not valid."""
        who = self._verified.get(token)
        if who is None:
            who, expires_at = decode(token, self._secret)
            self._verified.keep(token, who, expires_at)
        return who
