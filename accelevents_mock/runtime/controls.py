"""The run-time controls: what steers answers without changing the world (the clock's
settings, latency, faults, the standing scenario). They travel between workers as one value."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from accelevents_mock.contract import catalogue
from accelevents_mock.domain.clock import MockClock


@dataclass
class Controls:
    clock: MockClock
    latency_ms: tuple[int, int] = (0, 0)
    faults: dict[str, str] = field(default_factory=dict)
    scenario: str | None = None  # forced on every call it applies to...
    scenario_calls: int | None = None  # ...this many times (None: until cleared)

    @property
    def steer(self) -> bool:
        """Whether a standing scenario, a fault or latency steers calls."""
        return bool(self.scenario or self.faults or self.latency_ms != (0, 0))

    def force(self, scenario: str | None, calls: int | None = None) -> None:
        """Force `scenario` on the next `calls` calls it applies to (all, if None); None clears."""
        if scenario is not None and scenario not in catalogue.SCENARIOS:
            raise ValueError(f"unknown scenario {scenario!r:.60}: one of "
                             f"{', '.join(sorted(catalogue.SCENARIOS))}, or null to clear it")
        if calls is not None and (isinstance(calls, bool) or not isinstance(calls, int)
                                  or calls < 1):
            raise ValueError(f"calls must be a whole number of at least 1, or null for every "
                             f"call, not {calls!r:.40}")
        self.scenario, self.scenario_calls = scenario, calls

    def standing_scenario(self, operation: str) -> str | None:
        """The standing scenario if it applies to `operation` (without counting the call)."""
        scenario = self.scenario
        if scenario is None or catalogue.lookup(scenario, operation) is None:
            return None
        return scenario

    def take_scenario(self, operation: str) -> str | None:
        """The standing scenario if it applies to `operation`, counting the call."""
        scenario = self.standing_scenario(operation)
        if scenario is not None and self.scenario_calls is not None:
            self.scenario_calls -= 1
            if self.scenario_calls == 0:
                self.scenario = self.scenario_calls = None
        return scenario

    def as_data(self) -> dict[str, Any]:
        """The controls as JSON (an op's payload, a snapshot's part)."""
        return {"clock": self.clock.settings(), "latencyMs": list(self.latency_ms),
                "faults": dict(self.faults), "scenario": self.scenario,
                "calls": self.scenario_calls}

    def load(self, data: dict[str, Any]) -> None:
        self.clock.load_settings(data["clock"])
        self.latency_ms = (int(data["latencyMs"][0]), int(data["latencyMs"][1]))
        self.faults = dict(data["faults"])
        self.scenario, self.scenario_calls = data["scenario"], data["calls"]
