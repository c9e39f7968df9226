"""What the API accepts, the events carry: every field of the customer summary that
`customers.events` carries has the bounds of the HTTP field it comes from, and a body the
gateway accepts becomes, through customer_svc, an event every consumer accepts. A bound
changed in the HTTP models or in the event models only fails here."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Union, get_args, get_origin

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, TypeAdapter, ValidationError

from customer_svc.domain.model import Account, Customer, ServicePlan
from customer_svc.service import account_and_plan
from msc_contracts import events
from msc_contracts.http import customers, sla
from msc_contracts.topics import BACKUP_ALERTS, CUSTOMER_EVENTS

SUMMARY_SOURCES: dict[str, tuple[str, str]] = {
    "name": ("account", "name"),
    "customer_name": ("account", "customer_name"),
    "plan": ("service_plan", "plan"),
    "edition": ("service_plan", "edition"),
    "tenant_type": ("service_plan", "tenant_type"),
    "storage_region": ("service_plan", "storage_region"),
    "expiry_date": ("service_plan", "expiry_date"),
}
"""Each field of the event's customer summary and the HTTP field it is written from."""
BODIES = {
    "account": ("AccountCreate", "AccountUpdate"),
    "service_plan": ("ServicePlanCreate", "ServicePlanUpdate"),
}


def _bare(annotation: Any) -> Any:
    """The annotation without `| None`."""
    if get_origin(annotation) is Union or type(annotation).__name__ == "UnionType":
        kept = [a for a in get_args(annotation) if a is not type(None)]
        assert len(kept) == 1, annotation
        return kept[0]
    return annotation


def _type_of(model: type[BaseModel], field: str) -> Any:
    """What validates the field, `| None` aside: its core schema, validators included (no
    JSON Schema shows those), the same however the field's type is spelt."""
    info = model.model_fields[field]
    bare = _bare(info.annotation)
    typed = Annotated[bare, *info.metadata] if info.metadata else bare
    return TypeAdapter(typed).core_schema


def _schema_of(model: type[BaseModel], field: str) -> dict[str, Any]:
    schema = model.model_json_schema()["properties"][field]
    schema = next((s for s in schema.get("anyOf", [schema]) if s != {"type": "null"}), schema)
    return {k: v for k, v in schema.items() if k not in {"title", "description", "default"}}


def test_every_field_of_the_summary_names_the_http_field_it_comes_from() -> None:
    assert set(events.CustomerSummary.model_fields) == set(SUMMARY_SOURCES)


@pytest.mark.parametrize("field", sorted(SUMMARY_SOURCES))
def test_each_summary_field_has_the_bounds_of_its_http_field(field: str) -> None:
    part, name = SUMMARY_SOURCES[field]
    for body in BODIES[part]:
        model: type[BaseModel] = getattr(customers, body)
        assert _type_of(model, name) == _type_of(events.CustomerSummary, field), body
        assert _schema_of(model, name) == _schema_of(events.CustomerSummary, field), body


def test_an_acknowledged_alert_id_is_one_its_event_carries() -> None:
    assert _type_of(sla.AcknowledgementCreate, "alert_id") == _type_of(
        events.AlertAcknowledged, "alert_id"
    )


# ---- the property: a body the gateway accepts is an event every consumer accepts ----

EDGES = "\t\n\r\x00\x1f\x7f\x85\x9f \u00a0\u2028\ufeff\u00e9\U0001f600"
hostile_text = st.one_of(
    st.text(max_size=20),
    st.builds(
        lambda head, n, tail: head + "x" * n + tail,
        st.text(alphabet=EDGES, max_size=3),
        st.integers(0, 260),
        st.text(alphabet=EDGES, max_size=3),
    ),
)
maybe = st.one_of(st.none(), hostile_text)
a_date = st.one_of(st.dates().map(dt.date.isoformat), hostile_text, st.integers(-5, 10**10))
account = st.fixed_dictionaries(
    {"name": hostile_text}, optional={"customer_name": maybe, "address": maybe}
)
plan = st.fixed_dictionaries(
    {
        "plan": hostile_text,
        "storage_region": st.one_of(st.just("eu-west-1"), hostile_text),
        "tenant_type": st.one_of(st.sampled_from(["commercial", "evaluation"]), hostile_text),
        "edition": st.one_of(st.sampled_from(["business", "enterprise", "elite"]), hostile_text),
    },
    optional={"expiry_date": st.one_of(st.none(), a_date)},
)


def _through_the_system(raw: dict[str, Any]) -> dict[str, Any] | None:
    """The summary customer_svc announces for `raw` sent to the gateway, or None when the
    gateway or customer_svc refuses it."""
    try:
        forwarded = customers.CustomerCreate.model_validate(raw).model_dump_json(exclude_unset=True)
    except ValidationError:
        return None
    body = customers.CustomerCreate.model_validate_json(forwarded)  # customer_svc's, again
    customer = Customer(
        id="c-1",
        account=Account(**body.account.model_dump()),
        service_plan=ServicePlan(**body.service_plan.model_dump()),
    )
    return account_and_plan(customer)


def _event(event_type: str, data: dict[str, Any]) -> bytes:
    """The record a consumer reads: `data` as customer `c-1`'s event of that type."""
    return events.encode_event(
        events.CloudEvent[dict[str, Any]](
            id="e-1",
            source="urn:msc:test",
            type=event_type,
            time=dt.datetime.now(dt.UTC),
            customerid="c-1",
            data=data,
        )
    )


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(account, plan)
def test_what_the_api_accepts_the_events_carry(
    account: dict[str, Any], plan: dict[str, Any]
) -> None:
    announced = _through_the_system({"account": account, "service_plan": plan})
    if announced is None:
        return
    event = _event(events.CUSTOMER_CREATED, {"customer_id": "c-1", "summary": announced})
    decoded = events.decode_event(event, b"c-1", CUSTOMER_EVENTS)
    assert decoded.data.summary.model_dump(mode="json") == announced


@settings(max_examples=200, deadline=None)
@given(hostile_text)
def test_an_acknowledgement_the_api_accepts_is_an_event_sla_svc_accepts(alert_id: str) -> None:
    try:
        body = sla.AcknowledgementCreate.model_validate({"alert_id": alert_id})
    except ValidationError:
        return
    event = _event(events.ALERT_ACKNOWLEDGED, {"alert_id": body.alert_id, "acknowledged_by": "u"})
    decoded = events.decode_event(event, b"c-1", BACKUP_ALERTS)
    assert decoded.data.alert_id == body.alert_id
