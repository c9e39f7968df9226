"""The details view's Summary is customer_svc's answer parsed: the same Summary whatever the
order in which customer_svc wrote its answer, and only the parts `Summary` names."""

from __future__ import annotations

import json

from gateway.compose import _summary
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
    id_first = _summary(answer({"id": "c-1", **SUMMARY}))
    id_last = _summary(answer({**SUMMARY, "id": "c-1", "extra": 1}))
    assert id_first == SUMMARY == id_last
