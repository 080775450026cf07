"""The contract as data: operations by id, and which operation a request path belongs to."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from mockserver.spec import HTTP_METHODS, path_regex

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str  # upper case
    path: str  # template, e.g. /events/{eventurl}/session/{sessionId}/register
    pattern: re.Pattern[str]

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def safe(self) -> bool:
        return self.method in SAFE_METHODS


@cache
def load(path: Path) -> dict:
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))


def base_path(spec: dict) -> str:
    """Path of the first server URL (`/rest`)."""
    servers = spec.get("servers") or [{"url": "/"}]
    return urlsplit(servers[0]["url"]).path.rstrip("/")


def _pattern(template: str) -> re.Pattern[str]:
    return re.compile(f"^{path_regex(template)}/?$")


@cache
def operations(path: Path) -> dict[str, Operation]:
    """operationId -> Operation, in the order of the spec."""
    found: dict[str, Operation] = {}
    for template, item in load(path)["paths"].items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                found[operation["operationId"]] = Operation(
                    operation["operationId"], method.upper(), template, _pattern(template))
    return found


def match(path: Path, method: str, url_path: str) -> Operation | None:
    """The operation a request (its path after the base path) is for, or None."""
    # Literal segments win over parameters (/session/v2 is not /session/{sessionId}).
    candidates = [op for op in operations(path).values()
                  if op.method == method.upper() and op.pattern.match(url_path)]
    candidates.sort(key=lambda op: op.path.count("{"))
    return candidates[0] if candidates else None


def by_label(path: Path) -> dict[str, str]:
    """'GET /events/{eventurl}/session' -> 'listSessions'."""
    return {op.label: op.operation_id for op in operations(path).values()}
