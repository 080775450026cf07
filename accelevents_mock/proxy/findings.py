"""What the proxy found wrong, kept for `GET /__mock/violations` and the panel: grouped by
operation and kind, each group with a count and one redacted example."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from accelevents_mock.contract.verdicts import Violation
from accelevents_mock.logmask import mask_secrets, mask_token

FindingJSON = dict[str, str]  # as the journal and the control API show one
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


class Redactor:
    """Masks what must not leave the proxy whole: every token it knows of (the token map's both
    sides, the caller's own), credentials in a query, e-mail addresses."""

    def __init__(self, tokens: Iterable[str] = ()) -> None:
        self.tokens = {t for t in tokens if t}

    def __call__(self, text: str, extra: Iterable[str] = ()) -> str:
        # Longest first: a token that holds another is masked whole.
        for token in sorted(self.tokens | {t for t in extra if t}, key=len, reverse=True):
            text = text.replace(token, mask_token(token))
        return EMAIL.sub("[email]", mask_secrets(text))


def as_json(finding: Violation, redact: Redactor, extra: Iterable[str] = ()) -> FindingJSON:
    return {"operation": finding.operation, "kind": str(finding.kind),
            "message": redact(finding.message, extra)[:500]}


@dataclass
class Group:
    operation: str
    kind: str
    count: int
    example: dict[str, Any]  # the latest exchange that showed it, redacted


class FindingLog:
    """Every finding of this process since it started (or was cleared)."""

    def __init__(self) -> None:
        self.groups: dict[tuple[str, str], Group] = {}
        self.total = 0

    def add(self, findings: list[FindingJSON], exchange: dict[str, Any]) -> None:
        for finding in findings:
            key = (finding["operation"], finding["kind"])
            example = {**exchange, "message": finding["message"]}
            group = self.groups.get(key)
            if group is None:
                self.groups[key] = Group(*key, count=1, example=example)
            else:
                group.count, group.example = group.count + 1, example
            self.total += 1

    def view(self) -> dict[str, Any]:
        groups = sorted(self.groups.values(), key=lambda g: (g.operation, g.kind))
        return {"total": self.total,
                "groups": [{"operation": g.operation, "kind": g.kind, "count": g.count,
                            "example": g.example} for g in groups]}

    def clear(self) -> None:
        self.groups.clear()
        self.total = 0
