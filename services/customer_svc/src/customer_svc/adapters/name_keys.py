"""Moves stored account-name claims to the current fold (`domain.model.name_key`).

A customer's name is claimed by the `name_key` field of its document, under a unique
index. Releases up to 1.1 folded case only, so a full-width "ACME" (U+FF21 ...) was
claimed as full-width "acme" and the ASCII "acme" could be created beside it. At each
start every live customer whose stored key is not the key of its name gets it, by `_id`
and version: a customer changed meanwhile is left to its writer, which writes the
current key anyway. Idempotent (a second run finds nothing to do) and resumable (each
customer is moved alone), so a crash halfway is finished by the next start.

Two customers whose names the old fold told apart and the new one does not (created
before the upgrade) cannot both hold the key: the one whose key changed keeps its claim
under the old fold, which still protects its name from all the old fold matched (and the
other's claim protects the rest), and is named in a WARNING at every start. It can be
renamed or deleted (either writes a key of its own); any other change of it is refused
as a duplicate name until one of them is renamed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import OperationFailure

from customer_svc.domain.model import name_key
from msc_platform.mongo import is_duplicate_key

Document = dict[str, Any]
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Refolded:
    """What one run did: claims moved to the current fold, and claims that could not be
    moved because another customer holds the key (customer id, the holder's id)."""

    moved: int
    clashes: tuple[tuple[str, str], ...]


async def refold_name_keys(db: AsyncDatabase[Document]) -> Refolded:
    """Give every live customer the claim of its name under the current fold."""
    customers = db["customers"]
    stale: list[Document] = []
    # One read of the names of every customer (the customers list reads them all at start
    # too); only the few to move are written.
    async for doc in customers.find(
        {"deleted": False}, {"name_key": 1, "version": 1, "account.name": 1}
    ):
        if doc["name_key"] != name_key(doc["account"]["name"]):
            stale.append(doc)
    moved = 0
    clashes: list[tuple[str, str]] = []
    for doc in sorted(stale, key=lambda d: str(d["_id"])):
        key = name_key(doc["account"]["name"])
        try:
            result = await customers.update_one(
                {"_id": doc["_id"], "version": doc["version"]}, {"$set": {"name_key": key}}
            )
        except OperationFailure as exc:
            if not is_duplicate_key(exc):
                raise
            found = await customers.find_one({"name_key": key}, {"_id": 1})
            clashes.append((doc["_id"], found["_id"] if found else "?"))
            continue
        moved += result.modified_count
    if moved:
        log.info("account-name claims moved to the NFKC fold: %d customers", moved)
    for cid, holder in clashes:
        log.warning(
            "customer %s keeps its account-name claim under the old fold: its name now "
            "equals that of customer %s; rename one of them",
            cid,
            holder,
        )
    return Refolded(moved, tuple(clashes))
