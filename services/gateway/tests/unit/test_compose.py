"""The details view passes the services' bytes on: the same view whatever the order in
which customer_svc wrote its answer."""

from __future__ import annotations

import json

from gateway.compose import _summary_json
from gateway.upstream import Answer

SUMMARY = {
    "account": {"name": "Acme", "customer_name": None, "address": None, "phone": None},
    "service_plan": {"plan": "Standard"},
    "consumption": {"window_days": 90, "credits_consumed": 1.5, "daily": []},
    "contacts": [{"id": "k-1", "name": "Dana Lee", "email": "dana@acme.example"}],
}


def answer(body: dict[str, object]) -> Answer:
    return Answer(200, {}, json.dumps(body, separators=(",", ":")).encode())


def test_the_summary_is_the_answer_without_its_id_in_either_order() -> None:
    id_first = _summary_json(answer({"id": "c-1", **SUMMARY}), "c-1")
    id_last = _summary_json(answer({**SUMMARY, "id": "c-1", "extra": 1}), "c-1")
    assert json.loads(id_first) == SUMMARY == json.loads(id_last)
    assert id_first.startswith(b'{"account":')  # cut from the bytes, not encoded again
