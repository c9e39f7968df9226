"""`fields.fit`: data stored under older, looser bounds made to fit the event contract."""

from __future__ import annotations

from typing import Any

from msc_contracts import events, fields
from msc_contracts.bounds import MAX_NAME_CHARS


def changed(**summary: Any) -> dict[str, Any]:
    return {"customer_id": "c-1", "summary": {"name": "Acme", **summary}, "actor": "alice"}


def test_data_that_fits_comes_back_unchanged() -> None:
    data = changed(customer_name="Acme Corp", plan="Standard", expiry_date="2027-06-30")
    assert fields.fit(events.CustomerChanged, data) == data


def test_a_legal_name_stored_longer_is_cut_to_the_bound() -> None:
    fitted = fields.fit(events.CustomerChanged, changed(customer_name="L" * 300))
    assert fitted["summary"]["customer_name"] == "L" * MAX_NAME_CHARS
    events.CustomerChanged.model_validate(fitted)


def test_control_characters_are_written_as_replacement_characters_then_cut() -> None:
    stored = changed(name="Acme\tEurope", customer_name="\x00" + "x" * 250 + "\x85")
    fitted = fields.fit(events.CustomerChanged, stored)
    assert fitted["summary"]["name"] == "Acme\ufffdEurope"
    assert fitted["summary"]["customer_name"] == "\ufffd" + "x" * (MAX_NAME_CHARS - 1)
    events.CustomerChanged.model_validate(fitted)


def test_an_optional_value_no_cut_can_fit_is_left_out() -> None:
    fitted = fields.fit(events.CustomerChanged, changed(edition="gold", plan="Standard"))
    assert "edition" not in fitted["summary"]
    assert fitted["summary"]["plan"] == "Standard"
    events.CustomerChanged.model_validate(fitted)


def test_a_required_value_no_cut_can_fit_stays_to_be_refused() -> None:
    """A name that cannot be fitted is not invented: the consumer dead-letters it, loudly."""
    stored = changed(name=" ")
    assert fields.fit(events.CustomerChanged, stored) == stored


def test_the_stored_data_is_not_changed_in_place() -> None:
    stored = changed(customer_name="L" * 300)
    fields.fit(events.CustomerChanged, stored)
    assert stored["summary"]["customer_name"] == "L" * 300
