"""Where the contract lives, and the parts of it the server reads at start-up."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import yaml

# Shipped inside the package (a link to the repository's openapi.yaml, copied by the build).
SPEC_PATH = Path(__file__).with_name("openapi.yaml")
BASE_PATH = "/rest"
HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


def is_api_call(path: str) -> bool:
    """A call of the Accelevents API (under BASE_PATH), not of the Swagger UI beside it."""
    return path.startswith(BASE_PATH + "/") and not path.startswith(BASE_PATH + "/ui")


# libyaml's loader reads the spec about ten times faster: it is most of the mock's cold start.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@cache
def load_spec() -> dict:
    """The contract, parsed once (shared: do not change it)."""
    return yaml.load(SPEC_PATH.read_text(encoding="utf-8"), Loader=_LOADER)  # noqa: S506


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


def path_regex(template: str) -> str:
    """A regular expression (unanchored) for the paths a template like /session/{id} covers."""
    parts = re.split(r"(\{[^}]+\})", template)
    return "".join("[^/]+" if part.startswith("{") else re.escape(part) for part in parts)


@cache
def _path_patterns() -> list[tuple[re.Pattern, int, tuple[str, ...]]]:
    spec = load_spec()
    patterns = []
    for template, item in spec["paths"].items():
        regex = path_regex(BASE_PATH + template)
        methods = tuple(m.upper() for m in item if m in HTTP_METHODS)
        patterns.append((re.compile(f"^{regex}$"), template.count("{"), methods))
    return patterns


def allowed_methods(path: str) -> list[str]:
    """The methods the spec documents for the resource at `path` (for a 405's Allow). Where
    templates overlap (/session/v2 and /session/{id}) the one with fewest parameters wins, as
    in routing."""
    matching = [(params, methods) for pattern, params, methods in _path_patterns()
                if pattern.match(path)]
    if not matching:
        return []
    fewest = min(params for params, _ in matching)
    return sorted({m for params, methods in matching if params == fewest for m in methods})


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
