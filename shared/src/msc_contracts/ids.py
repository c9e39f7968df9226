"""The format of customer and contact ids, in events and in URL paths.

A letter or digit, then letters, digits, `-` or `_`: at most 128 characters. Nothing else
is an id, so `.`, `..`, encoded slashes and the like never reach a service as one (a path
holding one is answered 404), and every customer an agent's event names can be viewed.
"""

from typing import Annotated, Final

from pydantic import Field

ID_PATTERN: Final = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$"

EntityId = Annotated[str, Field(pattern=ID_PATTERN)]
"""A customer or contact id."""
