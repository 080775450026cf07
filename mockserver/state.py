"""Everything one running mock holds: config, clock, world, store, journal, run-time controls."""

from __future__ import annotations

from datetime import datetime, timedelta

from fixtures.recorded_world import build_recorded_world
from fixtures.world_builder import build_world
from mockserver import errors
from mockserver.config import MockConfig
from mockserver.domain.clock import MockClock
from mockserver.domain.service import MockService
from mockserver.journal import Journal
from mockserver.notify import Notifier
from mockserver.store.memory import MemoryStore, Registration


class MockState:
    def __init__(self, config: MockConfig | None = None) -> None:
        self.config = config or MockConfig()
        self.clock = MockClock(frozen_at=self.config.clock)
        self.journal = Journal(self.config.journal_size)
        self.latency_ms = self.config.latency_ms
        self.faults = dict(self.config.faults)
        self.notifier = Notifier()
        self.scenario: str | None = None  # forced on every call it applies to...
        self.scenario_calls: int | None = None  # ...this many times (None: until cleared)
        self.reset()

    def reset(self, seed: int | None = None, sessions: int | None = None,
              anchor: datetime | None = None) -> None:
        """Rebuild the world (optionally from a new seed, size or anchor time) and forget every
        change. The anchor (default: now on the mock clock) is the hour the schedule is built
        around."""
        if seed is not None:
            self.config.seed = seed
        if sessions is not None:
            self.config.sessions = sessions
        if self.config.world_dir is not None:
            world = build_recorded_world(self.config.world_dir)
        else:
            world = build_world(self.config.seed, self.config.sessions,
                                anchor=anchor or self.clock.now())
        store = MemoryStore()
        for minutes, (session_id, user_id, ticket_id) in enumerate(world.initial_registrations):
            event_id = world.sessions[session_id].event_id
            at = world.anchor - timedelta(days=1) + timedelta(minutes=minutes)
            store.add(Registration(session_id, event_id, user_id, ticket_id, at))
        self.service = MockService(world, store, self.clock, self.notifier.publish)
        self.journal.clear()

    def force(self, scenario: str | None, calls: int | None = None) -> None:
        """Force `scenario` on the next `calls` calls it applies to (all, if None); None clears."""
        if scenario is not None and scenario not in errors.SCENARIOS:
            raise ValueError(f"unknown scenario {scenario!r}")
        if calls is not None and calls < 1:
            raise ValueError("calls must be at least 1")
        self.scenario, self.scenario_calls = scenario, calls

    def take_scenario(self, operation: str) -> str | None:
        """The standing scenario if it applies to `operation`, counting the call."""
        scenario = self.scenario
        if scenario is None or errors.lookup(scenario, operation) is None:
            return None
        if self.scenario_calls is not None:
            self.scenario_calls -= 1
            if self.scenario_calls == 0:
                self.scenario = self.scenario_calls = None
        return scenario

    @property
    def world(self):
        return self.service.world

    @property
    def store(self) -> MemoryStore:
        return self.service.store
