"""Parameters several portal routes declare: the SLA window and the `If-Match` header."""

from __future__ import annotations

from typing import Annotated

from fastapi import Header, Query

from msc_contracts import vocabulary

Window = Annotated[vocabulary.Window, Query(description="SLA statistics window.")]
IfMatch = Annotated[
    str | None, Header(description="The customer's ETag; a stale one is answered 412.")
]
"""Declared on each change so the OpenAPI document names the header; `forward.to_customer_svc`
passes the request's own `If-Match` on, so the routes never read the parameter."""
