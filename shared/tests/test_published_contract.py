"""The committed AsyncAPI document and JSON Schemas are exactly what the event models give,
and the AsyncAPI document holds together (every topic, every type, every reference)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from msc_contracts import topics
from msc_contracts.events import EVENT_TYPES
from msc_contracts.schemas import asyncapi, event_schemas

DOCS = Path(__file__).resolve().parents[2] / "docs"
STALE = "out of date with the event models: run `make schemas` and commit docs/"


def test_the_committed_json_schemas_are_current() -> None:
    committed = {p.name for p in (DOCS / "schemas").glob("*.schema.json")}
    assert committed == {f"{name}.schema.json" for name in EVENT_TYPES}, STALE
    for name, schema in event_schemas().items():
        stored = json.loads((DOCS / "schemas" / f"{name}.schema.json").read_text())
        assert stored == schema, f"{name}: {STALE}"


def test_the_committed_asyncapi_document_is_current() -> None:
    assert yaml.safe_load((DOCS / "asyncapi.yaml").read_text()) == asyncapi(), STALE


def test_the_asyncapi_document_names_every_topic_and_type_and_resolves() -> None:
    document = asyncapi()
    assert document["asyncapi"].startswith("3.")
    channels = {c["address"]: c for c in document["channels"].values()}
    assert set(channels) == set(topics.ALL_TOPICS)
    for name, event_type in EVENT_TYPES.items():
        assert name in channels[event_type.topic]["messages"], name

    def refs(node: Any) -> list[str]:
        if isinstance(node, dict):
            found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
            return found + [r for value in node.values() for r in refs(value)]
        if isinstance(node, list):
            return [r for value in node for r in refs(value)]
        return []

    for ref in refs(document):
        target: Any = document
        for part in ref.removeprefix("#/").split("/"):
            assert part in target, f"{ref} does not resolve"
            target = target[part]
