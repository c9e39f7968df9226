"""The type of every field that travels, defined once: the HTTP bodies of customer_svc and
the gateway and the event models all use these, so what the API accepts an event carries
(`tests/contract/test_field_bounds.py` fails when the two sides drift apart).

The bodies' names are stripped of surrounding whitespace before their bounds are checked;
a stripped value is one the event models accept as it is.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    Field,
    StringConstraints,
    ValidationError,
)

from msc_contracts.bounds import (
    CONTROL_CHARACTERS,
    MAX_ADDRESS_CHARS,
    MAX_CREDIT_QUOTA,
    MAX_EMAIL_CHARS,
    MAX_GROUP_NAME_CHARS,
    MAX_ID_CHARS,
    MAX_NAME_CHARS,
    MAX_PLAN_CHARS,
    MAX_REGION_CHARS,
    MAX_TEXT_CHARS,
    ONE_LINE,
    TEXT,
)

_E164 = re.compile(r"^\+[0-9]{8,15}$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)
_CONTROL = re.compile(f"[{CONTROL_CHARACTERS}]")


def _iso_date(value: object) -> object:
    if isinstance(value, str) and not _ISO_DATE.match(value):
        raise ValueError("must be a date written YYYY-MM-DD")
    if not isinstance(value, str | dt.date):
        raise ValueError("must be a date written YYYY-MM-DD")
    return value


def _e164(value: str) -> str:
    if not _E164.match(value):
        raise ValueError("must be in E.164 form: + and 8 to 15 digits")
    return value


def _email(value: str) -> str:
    if len(value) > MAX_EMAIL_CHARS or not _EMAIL.match(value):
        raise ValueError("must be a valid email address")
    return value


def group_name(name: str) -> str:
    """A customer group's name as it is kept and compared: compatibility forms folded
    (NFKC: full-width letters, ligatures) and surrounding whitespace stripped; case kept, as
    identity providers' group claims keep it."""
    return unicodedata.normalize("NFKC", name).strip()


def _group_name(value: object) -> object:
    return group_name(value) if isinstance(value, str) else value


def _one_line(max_chars: int, min_chars: int = 0) -> StringConstraints:
    return StringConstraints(
        strip_whitespace=True,
        min_length=min_chars or None,
        max_length=max_chars,
        pattern=ONE_LINE,
    )


Id = Annotated[str, Field(min_length=1, max_length=MAX_ID_CHARS, pattern=ONE_LINE)]
"""An identifier an agent chose (a job, a set, an alert): 1-128 characters, one line."""
Name = Annotated[str, Field(max_length=MAX_NAME_CHARS, pattern=ONE_LINE)]
"""A name an agent sent, shown on one line: at most 200 characters, no control characters."""
Text = Annotated[str, Field(max_length=MAX_TEXT_CHARS, pattern=TEXT)]
"""Free text an agent sent: at most 4,000 characters; tabs and line breaks its only control
characters."""

AccountName = Annotated[str, _one_line(MAX_NAME_CHARS, 1)]
"""The MSP's account name: 1-200 characters, one line, without surrounding whitespace."""
CustomerName = Annotated[str, _one_line(MAX_NAME_CHARS)]
"""The customer's legal name: at most 200 characters, one line."""
PersonName = Annotated[str, _one_line(MAX_NAME_CHARS, 1)]
"""A contact's name: 1-200 characters, one line."""
PlanName = Annotated[str, _one_line(MAX_PLAN_CHARS, 1)]
"""A service plan's name: 1-100 characters, one line."""
Region = Annotated[
    str, StringConstraints(min_length=1, max_length=MAX_REGION_CHARS, pattern=ONE_LINE)
]
"""A storage region (customer_svc also checks it is one of the configured ones)."""
Address = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=MAX_ADDRESS_CHARS, pattern=TEXT)
]
"""A postal address: at most 500 characters; line breaks and tabs its only control ones."""
Phone = Annotated[str, AfterValidator(_e164), Field(examples=["+14155550100"])]
"""A phone number in E.164: `+` and 8 to 15 digits."""
Email = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_email)]
"""An e-mail address (at most 254 characters)."""
IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]
"""A calendar date written `YYYY-MM-DD`."""
CreditQuota = Annotated[int, Field(ge=0, le=MAX_CREDIT_QUOTA, strict=True)]
"""Credits a plan includes: an integer from 0 to 10^12."""
GroupName = Annotated[
    str,
    BeforeValidator(_group_name),
    StringConstraints(min_length=1, max_length=MAX_GROUP_NAME_CHARS, pattern=ONE_LINE),
]
"""A customer group's name (`group_name`): 1-100 characters, one line."""
TenantType = Literal["commercial", "evaluation"]
Edition = Literal["business", "enterprise", "elite"]


def fit(model: type[BaseModel], data: Mapping[str, Any]) -> dict[str, Any]:
    """`data` made to fit `model` where it does not: each control character of a string
    written as U+FFFD and the string cut to its field's length; an optional value that
    still does not fit left out.

    For values stored under older, looser bounds (a 300-character legal name kept by an
    earlier release): published as they are, they would break the event contract and be
    dead-lettered. Data that fits comes back unchanged; data that cannot be made to fit
    (a required field) comes back as far as it was fitted, and is refused downstream.
    """
    fitted: dict[str, Any] = _copy(data)
    for _ in range(3):  # control characters, then the length, then what neither fixed
        try:
            model.model_validate(fitted)
            break
        except ValidationError as exc:
            if not any([_fit_one(fitted, err, model) for err in exc.errors()]):
                break
    return fitted


def _copy(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _copy(v) for k, v in value.items()}
    return value


def _fit_one(data: dict[str, Any], error: Any, model: type[BaseModel]) -> bool:
    *parents, last = error["loc"]
    holder: Any = data
    for key in parents:
        holder = holder.get(key) if isinstance(holder, dict) else None
    if not isinstance(holder, dict) or last not in holder:
        return False
    value = holder[last]
    if isinstance(value, str) and error["type"] == "string_pattern_mismatch":
        holder[last] = _CONTROL.sub("\ufffd", value)
        return True
    if isinstance(value, str) and error["type"] == "string_too_long":
        holder[last] = value[: error["ctx"]["max_length"]]
        return True
    if value is not None and not _required(model, error["loc"]):
        del holder[last]
        return True
    return False


def _required(model: type[BaseModel], loc: tuple[int | str, ...]) -> bool:
    """Whether the field at `loc` (of nested models) must be given."""
    current: Any = model
    for key in loc:
        fields = getattr(current, "model_fields", None)
        if not isinstance(key, str) or fields is None or key not in fields:
            return True
        info = fields[key]
        if not info.is_required():
            return False
        current = info.annotation
    return True
