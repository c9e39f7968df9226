"""Which customer groups a caller is restricted to, as the gateway tells the service it
calls (with its service credential, the only one these services answer)."""

from __future__ import annotations

from collections.abc import Collection
from urllib.parse import quote, unquote

from msc_contracts.fields import group_name

CUSTOMER_GROUPS_HEADER = "X-MSC-Customer-Groups"
"""The customer groups of a restricted caller, each name percent-encoded, apart by commas;
empty for a caller restricted to none. Absent for a caller who sees every customer."""


def groups_header(groups: Collection[str]) -> dict[str, str]:
    """The header of a caller restricted to `groups`."""
    return {CUSTOMER_GROUPS_HEADER: ",".join(quote(g, safe="") for g in sorted(groups))}


def groups_of(value: str | None) -> frozenset[str] | None:
    """The restriction a `CUSTOMER_GROUPS_HEADER` value names: None without the header (the
    caller sees every customer), else its groups, each name as kept (`group_name`)."""
    if value is None:
        return None
    names = (unquote(name, errors="replace") for name in value.split(",") if name)
    return frozenset(group_name(name) for name in names)
