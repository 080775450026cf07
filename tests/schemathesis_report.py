"""Reading a Schemathesis NDJSON report (`--report ndjson`): what each operation answered."""

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


def _calls(finished: dict[str, Any]) -> Iterator[Call]:
    recorder = finished["recorder"]
    interactions = recorder.get("interactions", {})
    for case_id, node in recorder.get("cases", {}).items():
        interaction = interactions.get(case_id)
        if interaction is None:
            continue
        value = node["value"]
        response = interaction.get("response")
        yield Call(
            case_id=case_id,
            operation=f"{value['method']} {value['path']}",
            phase=finished["phase"],
            status=response["status_code"] if response else None,
        )
