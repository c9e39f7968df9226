"""Portal tokens for dev mode, the simulator, benchmarks and tests: HS256 JWTs with `sub`,
`role`, `iat`, `exp` and, for a `customer_viewer`, `customer_id` (CONTRACT.md). In
production an identity provider issues them; the gateway only verifies them.

    uv run python -m msc_local.tokens --role msp_admin      (reads MSC_JWT_SECRET)
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from typing import Literal

import jwt

Role = Literal["msp_admin", "msp_viewer", "customer_viewer"]
ROLES = ("msp_admin", "msp_viewer", "customer_viewer")


def mint(
    secret: str,
    role: Role,
    subject: str,
    customer_id: str | None = None,
    ttl: dt.timedelta = dt.timedelta(hours=12),
) -> str:
    """A signed portal token for `role`."""
    now = dt.datetime.now(dt.UTC)
    claims: dict[str, object] = {"sub": subject, "role": role, "iat": now, "exp": now + ttl}
    if customer_id:
        claims["customer_id"] = customer_id
    return jwt.encode(claims, secret, algorithm="HS256")


def main(argv: list[str] | None = None) -> int:
    """Print a signed token for the role asked for."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--role", required=True, choices=ROLES)
    parser.add_argument("--sub", default="cli-user", help="subject (user id)")
    parser.add_argument("--customer-id", help="required for customer_viewer")
    parser.add_argument("--hours", type=float, default=12.0, help="validity in hours")
    args = parser.parse_args(argv)
    secret = os.environ.get("MSC_JWT_SECRET", "")
    if not secret:
        print("MSC_JWT_SECRET is not set; export the secret the gateway uses.", file=sys.stderr)
        return 2
    if args.role == "customer_viewer" and not args.customer_id:
        print("--customer-id is required for customer_viewer", file=sys.stderr)
        return 2
    print(mint(secret, args.role, args.sub, args.customer_id, dt.timedelta(hours=args.hours)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
