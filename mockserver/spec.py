"""Where the contract lives, and the parts of it the server reads at start-up."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

# Shipped inside the package (a link to the repository's openapi.yaml, copied by the build).
SPEC_PATH = Path(__file__).with_name("openapi.yaml")
BASE_PATH = "/rest"
HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


@cache
def load_spec() -> dict:
    return yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))


def resolve(spec: dict, node: object) -> object:
    """Follow a local `$ref` (one level at a time, until none is left)."""
    while isinstance(node, dict) and "$ref" in node:
        target: object = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]  # type: ignore[index]
        node = target
    return node


def operations(spec: dict) -> dict[str, tuple[str, str, dict]]:
    """operationId -> (METHOD, path, operation object)."""
    found = {}
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                found[operation["operationId"]] = (method.upper(), path, operation)
    return found


@cache
def response_examples() -> dict[str, dict[int, dict[str, object]]]:
    """operationId -> status -> example name -> example value, with refs resolved."""
    spec = load_spec()
    index: dict[str, dict[int, dict[str, object]]] = {}
    for op_id, (_, _, operation) in operations(spec).items():
        by_status = index.setdefault(op_id, {})
        for status, response in operation["responses"].items():
            response = resolve(spec, response)
            media = response.get("content", {}).get("application/json", {})
            examples = {name: resolve(spec, ex)["value"]
                        for name, ex in media.get("examples", {}).items()}
            by_status[int(status)] = examples
    return index
