"""The gateway's copies of the services' HTTP shapes are the services' own: a field, a rule
or a description changed on one side and not the other fails here."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from customer_svc.api import schemas as customer_svc
from gateway.api import schemas as gateway
from sla_svc.api import schemas as sla_svc

CUSTOMER_SVC_SHAPES = [
    "AccountCreate",
    "AccountUpdate",
    "ServicePlanCreate",
    "ServicePlanUpdate",
    "ContactCreate",
    "ContactUpdate",
    "CustomerCreate",
    "CustomerPublic",
    "ContactPublic",
    "CustomerListItem",
    "CustomerList",
    "StorageRegions",
    "ActivityPage",
]
SLA_SVC_SHAPES = [
    "SlaPublic",
    "AlertPage",
    "AcknowledgementCreate",
    "AcknowledgementAccepted",
    "JobHistory",
]


@pytest.mark.parametrize(
    ("service", "name"),
    [(customer_svc, n) for n in CUSTOMER_SVC_SHAPES] + [(sla_svc, n) for n in SLA_SVC_SHAPES],
)
def test_the_gateways_copy_is_the_services_shape(service: object, name: str) -> None:
    theirs: type[BaseModel] = getattr(service, name)
    ours: type[BaseModel] = getattr(gateway, name)
    assert ours.model_json_schema() == theirs.model_json_schema()
