"""Reading a Schemathesis NDJSON report (`--report ndjson`): what each operation answered, and
which chains of the spec's links the stateful phase completed."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Call:
    case_id: str
    operation: str  # "POST /events/{eventurl}/session/{sessionId}/register"
    phase: str
    status: int | None
    parent_id: str | None  # the case whose response this one was linked from (stateful)
    link: str | None  # the spec's link name that made it, None when inferred or not linked


@dataclass
class Report:
    calls: list[Call] = field(default_factory=list)

    @classmethod
    def read(cls, path: Path) -> Report:
        report = cls()
        for line in path.read_text(encoding="utf-8").splitlines():
            finished = json.loads(line).get("ScenarioFinished")
            if finished:
                report.calls.extend(_calls(finished))
        return report

    def statuses(self) -> dict[str, Counter[int | None]]:
        """Each operation's answers, over every phase."""
        answered: dict[str, Counter[int | None]] = defaultdict(Counter)
        for call in self.calls:
            answered[call.operation][call.status] += 1
        return answered

    def chains(self, refusals: frozenset[int] = frozenset()) -> set[tuple[str, ...]]:
        """Every chain the stateful phase made through the spec's own links, as the operations'
        names in order: each call 2xx, the last one 2xx or one of `refusals` (a documented
        refusal of the session handed over, which the link therefore reached)."""
        by_id = {call.case_id: call for call in self.calls if call.phase == "stateful"}
        chains: set[tuple[str, ...]] = set()
        for call in by_id.values():
            if not (_ok(call.status) or call.status in refusals):
                continue
            chain = [call.operation]
            current = call
            while current.link is not None and current.parent_id in by_id:
                current = by_id[current.parent_id]
                if not _ok(current.status):
                    break
                chain.insert(0, current.operation)
                chains.add(tuple(chain))
        return chains


def _ok(status: int | None) -> bool:
    return status is not None and 200 <= status < 300


def _calls(finished: dict[str, Any]) -> Iterator[Call]:
    recorder = finished["recorder"]
    interactions = recorder.get("interactions", {})
    for case_id, node in recorder.get("cases", {}).items():
        interaction = interactions.get(case_id)
        if interaction is None:
            continue
        value = node["value"]
        transition = node.get("transition") or {}
        response = interaction.get("response")
        yield Call(
            case_id=case_id,
            operation=f"{value['method']} {value['path']}",
            phase=finished["phase"],
            status=response["status_code"] if response else None,
            parent_id=node.get("parent_id"),
            link=None if transition.get("is_inferred", True) else transition.get("id"),
        )
