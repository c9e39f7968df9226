"""Errors answered as RFC 9457 problem+json, validation and routing errors included."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_JSON = "application/problem+json"


class FieldError(BaseModel):
    """One invalid field."""

    field: str = Field(examples=["account.phone"])
    message: str = Field(examples=["must be E.164: + and 8 to 15 digits"])


class ProblemDetail(BaseModel):
    """An RFC 9457 problem (`application/problem+json`)."""

    type: str
    title: str = Field(examples=["Validation failed"])
    status: int = Field(examples=[422])
    detail: str
    errors: list[FieldError] | None = Field(default=None, description="Validation failures only.")


class Problem(Exception):
    """An error answered as RFC 9457 problem+json."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str = "",
        *,
        errors: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail or title)
        self.status = status
        self.title = title
        self.detail = detail
        self.errors = errors
        self.headers = headers

    def body(self) -> dict[str, Any]:
        """The problem document."""
        body: dict[str, Any] = {
            "type": f"https://msc.example/problems/{self.title.lower().replace(' ', '-')}",
            "title": self.title,
            "status": self.status,
            "detail": self.detail or self.title,
        }
        if self.errors is not None:
            body["errors"] = self.errors
        return body


def problem_response(problem: Problem) -> JSONResponse:
    """A problem+json response for `problem`."""
    return JSONResponse(
        problem.body(), status_code=problem.status, media_type=PROBLEM_JSON, headers=problem.headers
    )


def validation_errors(exc: RequestValidationError) -> list[dict[str, str]]:
    """Each pydantic error as `{field, message}`, the field a dotted path inside the request."""
    errors = []
    for err in exc.errors():
        loc = [str(p) for p in err["loc"]]
        if loc and loc[0] in {"body", "query", "path", "header"}:
            loc = loc[1:]
        errors.append({"field": ".".join(loc) or "body", "message": str(err["msg"])})
    return errors


def install_problem_handlers(app: FastAPI) -> None:
    """Answer every error, including validation and routing errors, as problem+json."""

    @app.exception_handler(Problem)
    async def on_problem(_: Request, exc: Problem) -> JSONResponse:
        return problem_response(exc)

    @app.exception_handler(RequestValidationError)
    async def on_invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        if any(err["loc"][:1] == ("path",) for err in exc.errors()):
            # A path segment that is not an id names nothing: `..`, `%2E`, an encoded `/`.
            return problem_response(Problem(404, "Not found", "no such resource"))
        errors = validation_errors(exc)
        fields = ", ".join(e["field"] for e in errors)
        return problem_response(
            Problem(422, "Validation failed", f"invalid fields: {fields}", errors=errors)
        )

    @app.exception_handler(StarletteHTTPException)
    async def on_http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400:  # FastAPI could not read the body as JSON at all
            errors = [{"field": "body", "message": "not a JSON document"}]
            return problem_response(
                Problem(422, "Validation failed", "invalid fields: body", errors=errors)
            )
        titles = {404: "Not found", 405: "Method not allowed", 413: "Content too large"}
        title = titles.get(exc.status_code, "Error")
        headers = dict(exc.headers) if exc.headers else None
        problem = Problem(exc.status_code, title, str(exc.detail), headers=headers)
        return problem_response(problem)
