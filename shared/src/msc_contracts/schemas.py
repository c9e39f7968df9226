"""Export the JSON Schema of every event type: `python -m msc_contracts.schemas OUT_DIR`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from msc_contracts.events import EVENT_TYPES, CloudEvent


def event_schemas() -> dict[str, dict[str, Any]]:
    """The JSON Schema of each event type's full CloudEvent, keyed by type."""
    return {
        name: CloudEvent[et.data_model].model_json_schema()  # type: ignore[name-defined]
        for name, et in EVENT_TYPES.items()
    }


def main(argv: list[str]) -> int:
    """Write one `<type>.schema.json` per event type into the given directory."""
    out = Path(argv[1] if len(argv) > 1 else "schemas")
    out.mkdir(parents=True, exist_ok=True)
    for name, schema in event_schemas().items():
        (out / f"{name}.schema.json").write_text(json.dumps(schema, indent=2) + "\n")
    print(f"wrote {len(EVENT_TYPES)} schemas to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
