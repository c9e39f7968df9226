"""Who asked for a change, as the gateway tells the service it calls."""

from __future__ import annotations

import urllib.parse

from msc_contracts.bounds import MAX_NAME_CHARS

ACTOR_HEADER = "X-MSC-Actor"
"""Who asked for a change (the `sub` of the portal token, percent-encoded), as the gateway
tells the service it calls with its own token (`actor_of` reads it back)."""


def actor_of(value: str | None) -> str | None:
    """The actor an `ACTOR_HEADER` value names, as an event may carry it: at most 200
    characters, each unprintable one (a newline, a control) shown as U+FFFD."""
    if not value:
        return None
    actor = urllib.parse.unquote(value, errors="replace")[:MAX_NAME_CHARS]
    return "".join(ch if ch.isprintable() else "\ufffd" for ch in actor)
