"""How the portal routes document their answers in the OpenAPI document: the contract's
model of a success, the headers it carries, and the problem documents of each failure."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from msc_platform.http import PROBLEM_JSON, ProblemDetail

Responses = dict[int | str, dict[str, Any]]
MEANING = {
    401: "Missing, invalid or expired token.",
    403: "The token's role may not do this.",
    404: "No such customer (or not yours).",
    409: "Another customer has this account name.",
    412: "The If-Match ETag is not the current one.",
    422: "A field breaks a rule; `errors` names each.",
    503: "customer_svc cannot be reached; retry later.",
}
HEADERS = {
    "ETag": "The customer's version: send it back in `If-Match` to change the customer.",
    "Location": "Where the new customer is.",
}


def problems(*statuses: int) -> Responses:
    """The problem documents of `statuses`, and of 401 and 403, which any route may answer."""
    return {
        status: {
            "model": ProblemDetail,
            "description": MEANING[status],
            "content": {PROBLEM_JSON: {}},
        }
        for status in (401, 403, *statuses)
    }


def answers(
    model: type[BaseModel],
    failures: Responses,
    status: int = 200,
    headers: tuple[str, ...] = ("ETag",),
) -> Responses:
    """Documented, not validated: the services already answer in the contract's shapes."""
    documented = {h: {"description": HEADERS[h], "schema": {"type": "string"}} for h in headers}
    success = {"model": model, "description": "Success.", "headers": documented}
    return {status: success, **failures}


READ = problems(404, 422, 503)
WRITE = problems(404, 412, 422, 503)
CSV = {"content": {"text/csv": {}}, "description": "CSV, streamed, as an attachment."}
