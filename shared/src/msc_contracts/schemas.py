"""The published forms of the event contract, generated from the event models:

- one JSON Schema per event type (`<type>.schema.json`),
- an AsyncAPI 3.0 document of every topic, its event types and who publishes and reads them.

`python -m msc_contracts.schemas DIR` writes both into DIR (`make schemas`: docs/); a test
fails when the committed files differ from what the models give.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from msc_contracts import topics
from msc_contracts.events import EVENT_TYPES, CloudEvent

SCHEMA_REF = "#/components/schemas/{model}"
PUBLISHERS = {
    topics.BACKUP_JOBS: "backup agents",
    topics.BACKUP_SETS: "backup agents",
    topics.BACKUP_ALERTS: "backup agents",
    topics.BACKUP_USAGE: "backup agents",
    topics.CUSTOMER_EVENTS: "customer_svc (outbox relay)",
}
CONSUMERS = {
    topics.BACKUP_JOBS: "sla_svc",
    topics.BACKUP_SETS: "sla_svc",
    topics.BACKUP_ALERTS: "sla_svc",
    topics.BACKUP_USAGE: "customer_svc",
    topics.CUSTOMER_EVENTS: "sla_svc",
}


def event_schemas() -> dict[str, dict[str, Any]]:
    """The JSON Schema of each event type's full CloudEvent, keyed by type."""
    return {
        name: CloudEvent[et.data_model].model_json_schema()  # type: ignore[name-defined]
        for name, et in EVENT_TYPES.items()
    }


def asyncapi() -> dict[str, Any]:
    """The AsyncAPI 3.0 document of the contract's topics and event types."""
    schemas: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for name, event_type in EVENT_TYPES.items():
        model = CloudEvent[event_type.data_model]  # type: ignore[name-defined]
        schema = model.model_json_schema(ref_template=SCHEMA_REF)
        schemas.update(schema.pop("$defs", {}))
        key = _key(name)
        schemas[key] = schema
        messages[key] = {
            "name": name,
            "title": (event_type.data_model.__doc__ or name).splitlines()[0],
            "contentType": "application/json",
            "payload": {"$ref": SCHEMA_REF.format(model=key)},
            "bindings": {"kafka": {"key": {"type": "string", "description": "The customer id."}}},
        }
    for topic in topics.ALL_TOPICS:
        keys = [_key(n) for n, et in EVENT_TYPES.items() if et.topic == topic]
        channel = _key(topic)
        channels[channel] = {
            "address": topic,
            "description": f"Published by {PUBLISHERS[topic]}, read by {CONSUMERS[topic]}; "
            f"records it cannot apply go to `{topics.dead_letter_topic(topic)}` with the "
            "reason in `x-dlq-reason`.",
            "messages": {k: {"$ref": f"#/components/messages/{k}"} for k in keys},
        }
        refs = [{"$ref": f"#/channels/{channel}/messages/{k}"} for k in keys]
        for action, who in (("send", PUBLISHERS[topic]), ("receive", CONSUMERS[topic])):
            operations[f"{action}_{channel}"] = {
                "action": action,
                "channel": {"$ref": f"#/channels/{channel}"},
                "summary": f"{who} {action}s on {topic}",
                "messages": refs,
            }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "MSC events",
            "version": "1.0.0",
            "description": "CloudEvents 1.0 in JSON structured mode on Kafka, keyed by "
            "customer id (CONTRACT.md section 2), generated from `msc_contracts.events`.",
        },
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": schemas},
    }


def _key(name: str) -> str:
    """A component key AsyncAPI accepts (letters, digits, `.`, `_`, `-`)."""
    return name.replace("/", "_")


def write(out: Path) -> list[Path]:
    """Write every generated file into `out`; the paths written."""
    import yaml  # a tool's dependency: only writing the files needs it

    (out / "schemas").mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in event_schemas().items():
        path = out / "schemas" / f"{name}.schema.json"
        path.write_text(json.dumps(schema, indent=2) + "\n")
        written.append(path)
    path = out / "asyncapi.yaml"
    path.write_text(yaml.safe_dump(asyncapi(), sort_keys=False, allow_unicode=True))
    written.append(path)
    return written


def main(argv: list[str]) -> int:
    """Write the JSON Schemas and the AsyncAPI document into the given directory."""
    out = Path(argv[1] if len(argv) > 1 else "docs")
    written = write(out)
    print(f"wrote {len(written)} files into {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
