"""Everything one running mock holds: config, clock, world, store, journal, run-time controls.

Every change to it can be described as a list of *ops* (`record`) and replayed from them
(`apply`): a reset of the world, the run-time controls, and the store's own writes. It is the
`Replica` its back end drives (`accelevents_mock/store/backend.py`): alone, a mock just runs changes
(`LocalBackend`); with `--store redis://…` the ops go through a shared log so that every worker
and every instance sees one world (`accelevents_mock/store/shared.py`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from accelevents_mock.config import MockConfig
from accelevents_mock.contract import catalogue
from accelevents_mock.domain.clock import MockClock, parse_instant
from accelevents_mock.domain.models import World
from accelevents_mock.domain.records import Registration
from accelevents_mock.domain.service import MockService
from accelevents_mock.proxy.findings import FindingLog
from accelevents_mock.runtime.notify import Notifier
from accelevents_mock.store.backend import Backend, LocalBackend, Notice
from accelevents_mock.store.journal import Answered, JournalEntry
from accelevents_mock.store.memory import MemoryStore, Op, Undo
from accelevents_mock.world.builder import build_world

T = TypeVar("T")


def _CANNOT_UNDO() -> None:  # noqa: N802 - a marker: a reset cannot be taken back step by step
    raise AssertionError("a reset is never undone")


class MockState:
    def __init__(self, config: MockConfig | None = None) -> None:
        self._start(config or MockConfig())
        if self.config.store:
            from accelevents_mock.store.shared import SharedBackend  # needs redis only when asked for

            self.backend = SharedBackend(self.config.store, self, self.config.journal_size)

    backend: Backend  # where changes are made atomic and the journal kept (see _start)

    def restart(self, config: MockConfig) -> None:
        """Become what `MockState(config)` would be, in place (the pytest plugin's fresh mock
        per test, without building the app again). The world is only ever read, never
        changed, so it is kept when the new one would be built the same."""
        if self.config.store or config.store:
            raise ValueError("a mock on a shared store cannot restart in place")
        built_from = None if self.config.world_dir else self.world_params()
        self._start(config, reuse=(self.world, built_from))

    def _start(self, config: MockConfig,
               reuse: tuple[World, dict[str, Any] | None] | None = None) -> None:
        self.config = config
        self.clock = MockClock(frozen_at=self.config.clock)
        self.latency_ms = self.config.latency_ms
        self.faults = dict(self.config.faults)
        self.notifier = Notifier()
        self.proxy = self.config.proxy.copy()  # the proxy's settings now (PUT /__mock/proxy)
        self.findings = FindingLog()  # what the proxy found against the contract (this process)
        self.scenario: str | None = None  # forced on every call it applies to...
        self.scenario_calls: int | None = None  # ...this many times (None: until cleared)
        self._pending: list[Op] | None = None  # ops of the change being recorded...
        self._undo: list[Undo] = []  # ...how to take its store writes back...
        self._controls_before: dict | None = None  # ...and the controls it started from
        self._notices: list[Notice] = []  # sent once that change is committed
        self.failed_midway = False  # the last recorded change raised after changing something
        self.generation = getattr(self, "generation", 0)  # counts worlds installed: lets
        # caches (response_cache) tell a reset apart, across a restart too
        self.backend = LocalBackend(self.config.journal_size)
        if reuse is not None and config.world_dir is None \
                and reuse[1] == self.world_params(self._build_anchor()):
            self._install(reuse[0])
        else:
            self.reset()

    # -- the world ---------------------------------------------------------------------------
    def reset(self, seed: int | None = None, sessions: int | None = None,
              anchor: datetime | None = None, attendees: int | None = None) -> None:
        """Rebuild the world (optionally from a new seed, size or anchor time) and forget every
        change. The anchor (default: now on the mock clock) is the hour the schedule is built
        around."""
        if seed is not None:
            self.config.seed = seed
        if sessions is not None:
            self.config.sessions = sessions
        if attendees is not None:
            self.config.attendees = attendees
        if self.config.world_dir is not None:
            from accelevents_mock.world.recorded import build_recorded_world  # spares every other start

            world = build_recorded_world(self.config.world_dir)
        else:
            world = build_world(self.config.seed, self.config.sessions,
                                anchor=anchor or self._build_anchor(),
                                attendees=self.config.attendees)
        self._install(world)
        self.backend.forget_journal()
        if self._pending is not None:  # a reset supersedes whatever this change did before it
            self._pending[:] = [["reset", self.world_params()]]
            self._undo = [_CANNOT_UNDO]

    def _install(self, world: World) -> None:
        """A fresh store over `world`, holding only the world's own registrations."""
        store = MemoryStore()
        for minutes, (session_id, user_id, ticket_id) in enumerate(world.initial_registrations):
            event_id = world.sessions[session_id].event_id
            at = world.anchor - timedelta(days=1) + timedelta(minutes=minutes)
            store.add(Registration(session_id, event_id, user_id, ticket_id, at))
        store.recorder = self._record if self._pending is not None else None  # see record
        self.generation += 1
        self._store = store
        self.service = MockService(world, store, self.clock, self._announce)

    def _build_anchor(self) -> datetime:
        """The hour a world built now is built around (the world builder rounds down too)."""
        return self.clock.now().replace(minute=0, second=0, microsecond=0)

    def world_params(self, anchor: datetime | None = None) -> dict[str, Any]:
        """What `reset` needs to build this same world again (or one around `anchor`)."""
        anchor = anchor or self.world.anchor
        return {"seed": self.config.seed, "sessions": self.config.sessions,
                "attendees": self.config.attendees, "anchor": anchor.isoformat()}

    @property
    def world(self) -> World:
        return self.service.world

    @property
    def store(self) -> MemoryStore:
        return self._store

    # -- run-time controls -------------------------------------------------------------------
    def force(self, scenario: str | None, calls: int | None = None) -> None:
        """Force `scenario` on the next `calls` calls it applies to (all, if None); None clears."""
        if scenario is not None and scenario not in catalogue.SCENARIOS:
            raise ValueError(f"unknown scenario {scenario!r}")
        if calls is not None and calls < 1:
            raise ValueError("calls must be at least 1")
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

    async def claim_scenario(self, operation: str) -> str | None:
        """`take_scenario`, shared by every worker when it counts calls."""
        scenario = self.standing_scenario(operation)
        if scenario is None or self.scenario_calls is None:
            return scenario  # nothing to count
        return await self.transact(lambda: self.take_scenario(operation))

    def controls(self) -> dict[str, Any]:
        return {"clock": self.clock.settings(), "latencyMs": list(self.latency_ms),
                "faults": dict(self.faults), "scenario": self.scenario,
                "calls": self.scenario_calls}

    def load_controls(self, data: dict[str, Any]) -> None:
        self.clock.load_settings(data["clock"])
        self.latency_ms = tuple(data["latencyMs"])
        self.faults = dict(data["faults"])
        self.scenario, self.scenario_calls = data["scenario"], data["calls"]

    # -- changes as ops ----------------------------------------------------------------------
    def _record(self, op: Op, undo: Undo) -> None:
        assert self._pending is not None  # the store is told only while a change is recorded
        self._pending.append(op)
        self._undo.append(undo)

    def _announce(self, user_id: int, notice: dict[str, Any]) -> None:
        """A networking notice: held back while a change is recorded (it may be retried)."""
        if self._pending is None:
            self.notifier.publish(user_id, notice)
        else:
            self._notices.append((user_id, notice))

    def record(self, change: Callable[[], T]) -> tuple[list[Op], T]:
        """Run `change` and return the ops that replay it. If it raises after changing
        something (`failed_midway`), the caller must rebuild the local state (`SharedBackend`
        replays the shared log); the rules raise before they write."""
        before = self._controls_before = self.controls()
        self._pending, self._notices, self._undo = [], [], []
        # The store describes its writes (ops, undos) only now: a mock on its own never
        # records, and its writes skip that work.
        self.store.recorder = self._record
        try:
            result = change()
            ops = self._pending
        except Exception:
            self.failed_midway = bool(self._pending) or self.controls() != before
            raise
        finally:
            self._pending = None
            self.store.recorder = None  # the store `change` left (a reset installs a new one)
        # A reset starts a new shared log, which must hold everything a worker needs: a worker
        # that missed the old log's last entries (a clock move, say) learns the controls here.
        starts_log = bool(ops) and ops[0][0] == "reset"
        if starts_log or self.controls() != before:
            ops.append(["controls", self.controls()])
        return ops, result

    def rollback(self) -> bool:
        """Take back the last recorded change (it lost a race, or failed midway). False if it
        cannot be (it rebuilt the world): then replay the shared log instead."""
        self._notices = []
        undo, self._undo = self._undo, []
        if _CANNOT_UNDO in undo:
            return False
        for step in reversed(undo):
            step()
        if self._controls_before is not None:
            self.load_controls(self._controls_before)
        return True

    def take_notices(self) -> list[Notice]:
        notices, self._notices = self._notices, []
        return notices

    def deliver(self, notice: Notice) -> None:
        self.notifier.publish(*notice)

    def opening_ops(self) -> list[Op]:
        return [["reset", self.world_params()], ["controls", self.controls()]]

    def snapshot_ops(self) -> list[Op]:
        return [["reset", self.world_params()], ["restore", self.store.snapshot()],
                ["controls", self.controls()]]

    def apply(self, op: Op) -> None:
        """Replay one op recorded here or by another worker."""
        if op[0] == "reset":
            params = op[1]
            if params == self.world_params():
                self._install(self.world)  # the same world: only the changes are forgotten
                self.backend.forget_journal()
            else:
                self.reset(params["seed"], params["sessions"], parse_instant(params["anchor"]),
                           params["attendees"])
        elif op[0] == "controls":
            self.load_controls(op[1])
        else:
            self.store.apply(op)

    async def sync(self) -> None:
        """Catch up with the other workers (a no-op for a mock on its own)."""
        await self.backend.sync()

    async def transact(self, change: Callable[[], T]) -> T:
        """Run `change` (rules read, then write) as one atomic step for every worker."""
        return await self.backend.transact(change)

    # -- the journal -------------------------------------------------------------------------
    def note(self, call: Answered) -> None:
        self.backend.note(call)

    async def journal_entries(self, since: int = 0, limit: int | None = None) -> list[JournalEntry]:
        return await self.backend.journal_entries(since, limit)

    async def close(self) -> None:
        """At shutdown (the ASGI lifespan)."""
        await self.backend.close()
