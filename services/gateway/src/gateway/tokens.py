"""Mint a portal token: `python -m gateway.tokens --role msp_admin` (reads MSC_JWT_SECRET)."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from typing import cast

from gateway.auth import ROLES, Role, mint


def main(argv: list[str] | None = None) -> int:
    """Print a signed token for the role asked for."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--role", required=True, choices=sorted(ROLES))
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
    token = mint(
        secret,
        cast(Role, args.role),
        args.sub,
        args.customer_id,
        dt.timedelta(hours=args.hours),
    )
    print(token)
    return 0


if __name__ == "__main__":
    sys.exit(main())
