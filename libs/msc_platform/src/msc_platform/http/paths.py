"""Ids in URL paths: anything that is not an id names nothing (404)."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Path

from msc_contracts.ids import ID_PATTERN

PathId = Annotated[
    str, Path(pattern=ID_PATTERN, description="An id (`msc_contracts.ids`); anything else: 404.")
]
"""A customer or contact id in a URL path."""

CUSTOMER_PATH = re.compile(
    rf"/api/v1/customers/({ID_PATTERN.removeprefix('^').removesuffix('$')})(?:/|$)"
)
"""A path about one customer."""
