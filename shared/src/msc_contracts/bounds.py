"""The bounds of every field that travels, as plain numbers and patterns: one definition
that the event models, both HTTP sides (`msc_contracts.fields`) and a domain rule read.

Kept free of any framework so that a domain module may import a bound it enforces itself
(customer_svc's `MAX_CONTACTS`, `MAX_GROUPS`).
"""

from __future__ import annotations

from typing import Final

MAX_ID_CHARS: Final = 128
MAX_NAME_CHARS: Final = 200
"""Account names, legal names, contact names, actors, set names, error codes."""
MAX_PLAN_CHARS: Final = 100
MAX_REGION_CHARS: Final = 64
MAX_ADDRESS_CHARS: Final = 500
MAX_TEXT_CHARS: Final = 4000
"""Free text an agent sends (alert messages, job errors)."""
MAX_EMAIL_CHARS: Final = 254
MAX_BYTES: Final = 10**18
"""Largest byte count (an exabyte), well inside a signed 64-bit integer."""
MAX_CREDITS: Final = 1e12
MAX_CREDIT_QUOTA: Final = 10**12
"""Largest credit quota: far above any plan, far inside what the database stores (2**63)."""
MAX_CONTACTS: Final = 100
"""Most contacts one customer has."""
MAX_GROUP_NAME_CHARS: Final = 100
"""A customer group's name (a reseller, a team)."""
MAX_GROUPS: Final = 20
"""Most customer groups one customer belongs to."""

# Lone surrogates (not valid Unicode) are refused by pydantic's own string validation.
CONTROL_CHARACTERS: Final = r"\x00-\x1f\x7f-\x9f"
ONE_LINE: Final = rf"^[^{CONTROL_CHARACTERS}]*$"
"""No control character at all: ids and names are shown on one line."""
TEXT: Final = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
"""No control character but tab and line breaks."""
