"""Everything one running mock holds: config, clock, world, store, journal, run-time controls."""

from __future__ import annotations

from datetime import datetime, timedelta

from fixtures.world_builder import build_world
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
        world = build_world(self.config.seed, self.config.sessions, anchor=anchor or self.clock.now())
        store = MemoryStore()
        for minutes, (session_id, user_id, ticket_id) in enumerate(world.initial_registrations):
            event_id = world.sessions[session_id].event_id
            at = world.anchor - timedelta(days=1) + timedelta(minutes=minutes)
            store.add(Registration(session_id, event_id, user_id, ticket_id, at))
        self.service = MockService(world, store, self.clock, self.notifier.publish)
        self.journal.clear()

    @property
    def world(self):
        return self.service.world

    @property
    def store(self) -> MemoryStore:
        return self.service.store
