"""What the proxy found wrong, kept for `GET /__mock/violations` and the panel: grouped by
operation and kind, each group with a count and one redacted example."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from accelevents_mock.contract.verdicts import Violation
from accelevents_mock.safety.redact import Redactor

FindingJSON = dict[str, str]  # as the journal and the control API show one


def as_json(finding: Violation, redact: Redactor, extra: Iterable[str] = ()) -> FindingJSON:
    return {"operation": finding.operation, "kind": str(finding.kind),
            "message": redact.text(finding.message, extra)[:500]}


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
