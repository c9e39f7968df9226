"""Account-name claims written by release 1.1 (case folded only) are moved to the NFKC fold
at start, on the real database, and keep protecting the names they claimed."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from customer_svc.adapters.documents import from_document
from customer_svc.adapters.mongo_customers import MongoCustomerRepository
from customer_svc.adapters.name_keys import refold_name_keys
from customer_svc.domain.errors import DuplicateAccountName
from customer_svc.domain.model import Account, Customer, ServicePlan
from msc_testkit.clock import FixedClock
from msc_testkit.infrastructure import Endpoints
from services.customer_svc.tests.unit.test_customer_service import full_width

T = dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC)


def written_by_1_1(cid: str, name: str, key: str) -> dict[str, Any]:
    """A customer document exactly as release 1.1's `to_document` wrote it (printed from
    that code), its `name_key` folded by case only."""
    return {
        "_id": cid,
        "version": 3,
        "deleted": False,
        "name_key": key,
        "account": {"name": name, "customer_name": "ACME GmbH", "address": None, "phone": None},
        "service_plan": {
            "plan": "Standard",
            "storage_region": "us-east-1",
            "tenant_type": "commercial",
            "expiry_date": "2027-01-31",
            "edition": "elite",
            "credit_quota": None,
            "credit_quota_effective_date": None,
        },
        "contacts": [
            {"id": "k-0123456789ab", "name": "Dana", "email": "dana@acme.example", "phone": None}
        ],
        "former_names": [],
        "created_at": T,
        "updated_at": T,
    }


@pytest.fixture
async def db(infrastructure: Endpoints) -> AsyncIterator[AsyncDatabase[dict[str, Any]]]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        infrastructure.mongodb, tz_aware=True
    )
    name = f"it_names_{uuid.uuid4().hex[:8]}"
    try:
        yield client[name]
    finally:
        await client.drop_database(name)
        await client.close()


@pytest.fixture
async def repo(db: AsyncDatabase[dict[str, Any]]) -> MongoCustomerRepository:
    """The customers adapter on `db`, its unique index made as at every start."""
    built = MongoCustomerRepository(db, FixedClock(T))
    await built.ensure_indexes()
    return built


def new_customer(name: str) -> Customer:
    return Customer(f"c-{uuid.uuid4().hex[:12]}", Account(name), ServicePlan(), created_at=T)


async def test_a_full_width_name_claimed_by_1_1_still_refuses_its_ascii_twin(
    db: AsyncDatabase[dict[str, Any]], repo: MongoCustomerRepository
) -> None:
    old = written_by_1_1(
        "c-0123456789ab", full_width("ACME") + " Backup", full_width("acme") + " backup"
    )
    await db["customers"].insert_one(old)

    assert (await refold_name_keys(db)).moved == 1
    with pytest.raises(DuplicateAccountName):
        await repo.add(new_customer("acme  BACKUP"))
    assert (await refold_name_keys(db)).moved == 0  # done once: nothing left to move

    # Renaming it releases the claim it had: the ASCII twin may now be created.
    current = await repo.get(old["_id"])
    assert current is not None
    renamed = current.next_version(account=dataclasses.replace(current.account, name="Other"))
    await repo.save(renamed)
    await repo.add(new_customer("Acme Backup"))


async def test_a_customer_deleted_after_the_move_frees_its_name(
    db: AsyncDatabase[dict[str, Any]], repo: MongoCustomerRepository
) -> None:
    await db["customers"].insert_one(
        written_by_1_1("c-0123456789ab", full_width("ACME"), full_width("acme"))
    )
    assert (await refold_name_keys(db)).moved == 1
    current = await repo.get("c-0123456789ab")
    assert current is not None and current.account.name == full_width("ACME")
    await repo.save(current.next_version(deleted=True, contacts=()))
    await repo.add(new_customer("acme"))


async def test_twins_created_before_the_upgrade_both_stay_protected_and_editable_by_rename(
    db: AsyncDatabase[dict[str, Any]], repo: MongoCustomerRepository
) -> None:
    await db["customers"].insert_many(
        [
            written_by_1_1("c-00000000000a", "acme", "acme"),
            written_by_1_1("c-00000000000b", full_width("ACME"), full_width("acme")),
        ]
    )
    result = await refold_name_keys(db)  # the start does not fail on them
    assert result.moved == 0 and result.clashes == (("c-00000000000b", "c-00000000000a"),)
    for twin in ("Acme", full_width("ACME"), full_width("acme")):
        with pytest.raises(DuplicateAccountName):
            await repo.add(new_customer(twin))

    # The full-width twin keeps its old claim until renamed; renamed, it claims the new
    # name's key and its old claim is gone.
    doc = await db["customers"].find_one({"_id": "c-00000000000b"})
    assert doc is not None and doc["name_key"] == full_width("acme")
    twin = from_document(doc)
    with pytest.raises(DuplicateAccountName):  # not a 500: a clash on FerretDB's replace
        await repo.save(twin.next_version(service_plan=ServicePlan(plan="Premium")))
    await repo.save(twin.next_version(account=dataclasses.replace(twin.account, name="Zenith")))
    with pytest.raises(DuplicateAccountName):
        await repo.add(new_customer(full_width("ZENITH")))
