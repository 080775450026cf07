"""The contract, openapi.yaml: loaded once, and read as operations with their paths.

This is the only module that parses the spec. The server reads it at start-up; the harness
may load another file (`--spec`), through the same functions.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

# Shipped inside the package (a link to the repository's openapi.yaml, copied by the build).
SPEC_PATH = Path(__file__).resolve().parents[1] / "openapi.yaml"
BASE_PATH = "/rest"
HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

Document = dict[str, Any]  # a parsed OpenAPI document (or any part of it)

# libyaml's loader reads the spec about ten times faster: it is most of the mock's cold start.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str  # upper case
    path: str  # template below the base path, e.g. /events/{eventurl}/session/{sessionId}/register
    pattern: re.Pattern[str] = field(repr=False)
    definition: Document = field(repr=False, compare=False, hash=False)

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def safe(self) -> bool:
        return self.method in SAFE_METHODS

    def url_path(self, eventurl: str, session: object = None) -> str:
        """The path below the base path, with the event and (if it has one) the session filled in."""
        path = self.path.replace("{eventurl}", eventurl)
        return re.sub(r"\{(sessionId|id)\}", str(session), path)

    def statuses(self) -> set[int]:
        return {int(status) for status in self.definition["responses"]}


def load(path: Path = SPEC_PATH) -> Document:
    """The contract at `path`, parsed once (shared: do not change it)."""
    # One cache entry for load() and load(SPEC_PATH) alike: the spec is parsed once, not twice.
    return _parsed(path if isinstance(path, Path) else Path(path))


@cache
def _parsed(path: Path) -> Document:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)  # noqa: S506


def resolve(document: Document, node: Any) -> Any:
    """Follow a local `$ref` (one level at a time, until none is left)."""
    while isinstance(node, dict) and "$ref" in node:
        target: Any = document
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def base_path(document: Document) -> str:
    """Path of the first server URL (`/rest`)."""
    servers = document.get("servers") or [{"url": "/"}]
    return urlsplit(servers[0]["url"]).path.rstrip("/")


def path_regex(template: str) -> str:
    """A regular expression (unanchored) for the paths a template like /session/{id} covers,
    each path parameter a named group (`match.groupdict()` reads them)."""
    parts = re.split(r"\{([^}]+)\}", template)  # literal, name, literal, name, ...
    return "".join(f"(?P<{part}>[^/]+)" if odd else re.escape(part)
                   for odd, part in zip(itertools.cycle((False, True)), parts, strict=False))


def operations(path: Path = SPEC_PATH) -> dict[str, Operation]:
    """operationId -> Operation, in the order of the spec."""
    return _operations(path if isinstance(path, Path) else Path(path))  # one entry, as load's


@cache
def _operations(path: Path) -> dict[str, Operation]:
    found: dict[str, Operation] = {}
    for template, item in load(path)["paths"].items():
        pattern = re.compile(f"^{path_regex(template)}/?$")
        for method, definition in item.items():
            if method in HTTP_METHODS:
                op_id = definition["operationId"]
                found[op_id] = Operation(op_id, method.upper(), template, pattern, definition)
    return found


def operation(operation_id: str, path: Path = SPEC_PATH) -> Operation:
    return operations(path)[operation_id]


def match(method: str, url_path: str, path: Path = SPEC_PATH) -> Operation | None:
    """The operation a request (its path after the base path) is for, or None."""
    # Literal segments win over parameters (/session/v2 is not /session/{sessionId}).
    candidates = [op for op in operations(path).values()
                  if op.method == method.upper() and op.pattern.match(url_path)]
    candidates.sort(key=lambda op: op.path.count("{"))
    return candidates[0] if candidates else None


def by_label(path: Path = SPEC_PATH) -> dict[str, str]:
    """'GET /events/{eventurl}/session' -> 'listSessions'."""
    return {op.label: op.operation_id for op in operations(path).values()}


def allowed_methods(url_path: str, path: Path = SPEC_PATH) -> list[str]:
    """The methods the spec documents for the resource at `url_path` (below the base path; for a
    405's Allow). Where templates overlap (/session/v2 and /session/{id}) the one with fewest
    parameters wins, as in routing."""
    matching = [op for op in operations(path).values() if op.pattern.match(url_path)]
    if not matching:
        return []
    fewest = min(op.path.count("{") for op in matching)
    return sorted({op.method for op in matching if op.path.count("{") == fewest})


def is_api_call(url_path: str) -> bool:
    """A call of the Accelevents API (under BASE_PATH), not of the Swagger UI beside it."""
    return url_path.startswith(BASE_PATH + "/") and not url_path.startswith(BASE_PATH + "/ui")


ExamplesByStatus = dict[int, dict[str, Any]]  # status -> example name -> example value


@cache
def response_examples() -> dict[str, ExamplesByStatus]:
    """operationId -> status -> example name -> example value, with refs resolved."""
    document = load()
    index: dict[str, ExamplesByStatus] = {}
    for op_id, op in operations().items():
        by_status = index.setdefault(op_id, {})
        for status, response in op.definition["responses"].items():
            media = resolve(document, response).get("content", {}).get("application/json", {})
            by_status[int(status)] = {name: resolve(document, example)["value"]
                                      for name, example in media.get("examples", {}).items()}
    return index
