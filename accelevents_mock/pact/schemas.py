"""Reading a resolved OpenAPI schema the way a JSON body is walked: its properties and items
(through allOf/anyOf/oneOf), and whether it admits null. For the export and the check alike."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

BRANCHES = ("allOf", "anyOf", "oneOf")


def nullable(schema: Mapping[str, Any]) -> bool:
    if schema.get("nullable"):
        return True
    return any(nullable(branch) for key in ("anyOf", "oneOf") for branch in schema.get(key, ()))


def properties(schema: Mapping[str, Any]) -> dict[str, Any]:
    """The properties `schema` declares, its allOf/anyOf/oneOf branches' included."""
    found = dict(schema.get("properties", {}))
    for key in BRANCHES:
        for branch in schema.get(key, ()):
            found.update(properties(branch))
    return found


def items(schema: Mapping[str, Any]) -> dict[str, Any]:
    if "items" in schema:
        return dict(schema["items"])
    for key in BRANCHES:
        for branch in schema.get(key, ()):
            if "items" in branch:
                return dict(branch["items"])
    return {}
