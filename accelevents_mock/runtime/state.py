"""One running mock: its config, world, store, service and back end, with its run-time
controls (`Controls`) and the log of its changes (`ChangeLog`).

Every change to it can be described as a list of *ops* (`run_change`) and replayed from them
(`apply`): a reset of the world, the run-time controls, and the store's own writes. It is the
`Replica` its back end drives (`accelevents_mock/store/backend.py`): alone, a mock just runs
changes (`LocalBackend`); with `--store redis://…` the ops go through a shared log so that every
worker and every instance sees one world (`accelevents_mock/store/shared.py`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from accelevents_mock.config import MockConfig
from accelevents_mock.contract.catalogue import ApiError
from accelevents_mock.domain.clock import MockClock, parse_instant
from accelevents_mock.domain.models import User, World
from accelevents_mock.domain.records import Registration
from accelevents_mock.domain.service import MockService
from accelevents_mock.proxy.control import ProxyControl
from accelevents_mock.runtime import writes
from accelevents_mock.runtime.changelog import ChangeLog
from accelevents_mock.runtime.controls import Controls
from accelevents_mock.runtime.notify import Notifier
from accelevents_mock.store.backend import ORDERED, Backend, LocalBackend, Notice
from accelevents_mock.store.journal import Answered, JournalEntry
from accelevents_mock.store.memory import MemoryStore, Op
from accelevents_mock.world.builder import build_world

T = TypeVar("T")
log = logging.getLogger(__name__)


def served_world(config: MockConfig, anchor: datetime) -> World:
    """The world `config` asks for: its recording's, or the one generated from its seed and
    size around `anchor`."""
    if config.world_dir is not None:
        from accelevents_mock.world.recorded import build_recorded_world  # spares every other start

        return build_recorded_world(config.world_dir)
    return build_world(config.seed, config.sessions, anchor=anchor, attendees=config.attendees)


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
        self.controls = Controls(self.clock, self.config.latency_ms, dict(self.config.faults))
        # What POST /__mock/reset goes back to (a reset with a new seed changes `config`).
        self.start_controls = self.controls.as_data()
        self.start_size = (self.config.seed, self.config.sessions, self.config.attendees)
        self.changes = ChangeLog()
        self.notifier = Notifier()
        self._replaying = False  # a copy rebuilding from its log: no notices (see _announce)
        self.proxy = ProxyControl(self.config.proxy.copy())  # the proxy's settings and findings
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
        self._install(served_world(self.config, anchor or self._build_anchor()))
        self.backend.forget_journal()
        self.changes.note_reset(self.world_params())

    def reset_to_start(self, seed: int | None = None, sessions: int | None = None,
                       attendees: int | None = None) -> None:
        """POST /__mock/reset: the start-up controls (clock, latency, faults, forced scenario)
        and the start-up world, or one of the seed and size given, with no change made to it."""
        self.controls.load(self.start_controls)
        start_seed, start_sessions, start_attendees = self.start_size
        self.reset(start_seed if seed is None else seed,
                   start_sessions if sessions is None else sessions,
                   attendees=start_attendees if attendees is None else attendees)

    def _install(self, world: World) -> None:
        """A fresh store over `world`, holding only the world's own registrations."""
        store = MemoryStore()
        for minutes, (session_id, user_id, ticket_id) in enumerate(world.initial_registrations):
            event_id = world.sessions[session_id].event_id
            at = world.anchor - timedelta(days=1) + timedelta(minutes=minutes)
            store.add(Registration(session_id, event_id, user_id, ticket_id, at))
        store.on_write = self.changes.note_write if self.changes.running else None
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
    async def claim_scenario(self, operation: str) -> str | None:
        """`Controls.take_scenario`, shared by every worker when it counts calls."""
        scenario = self.controls.standing_scenario(operation)
        if scenario is None or self.controls.scenario_calls is None:
            return scenario  # nothing to count
        return await self.transact(lambda: self.controls.take_scenario(operation))

    # -- changes as ops (the Replica a back end drives) ---------------------------------------
    @property
    def failed_midway(self) -> bool:
        return self.changes.failed_midway

    def _announce(self, user_id: int, notice: dict[str, Any]) -> None:
        """A networking notice: held back while a change runs (it may be retried), dropped
        while a copy replays its log from the start (sent long ago)."""
        if not self.changes.hold((user_id, notice)) and not self._replaying:
            self.notifier.publish(user_id, notice)

    def run_change(self, change: Callable[[], T]) -> tuple[list[Op], T]:
        return self.changes.run(self, change)

    def rollback(self) -> bool:
        return self.changes.rollback(self)

    def settle(self) -> None:
        self.changes.settle()

    def take_notices(self) -> list[Notice]:
        return self.changes.take_notices()

    def deliver(self, notice: Notice) -> None:
        self.notifier.publish(*notice)

    def opening_ops(self) -> list[Op]:
        return [["reset", self.world_params()], ["controls", self.controls.as_data()]]

    def snapshot_ops(self) -> list[Op]:
        return [["reset", self.world_params()], ["restore", self.store.snapshot()],
                ["controls", self.controls.as_data()]]

    def perform(self, op: Op) -> Any:
        return writes.perform(self.service, op)

    def apply(self, op: Op, announce: bool = True) -> None:
        """Replay one op recorded here or by another worker."""
        if op[0] == ORDERED:
            self._replaying = not announce
            try:
                self.perform(op)
            except ApiError:
                pass  # refused here as where it was asked for: that worker answered it
            except Exception:  # noqa: BLE001 - the same bug answered 500 where it was asked
                log.exception("a replayed write failed: %s", op[1])
            finally:
                self._replaying = False
        elif op[0] == "reset":
            params = op[1]
            if params == self.world_params():
                self._install(self.world)  # the same world: only the changes are forgotten
                self.backend.forget_journal()
            else:
                self.reset(params["seed"], params["sessions"], parse_instant(params["anchor"]),
                           params["attendees"])
        elif op[0] == "controls":
            self.controls.load(op[1])
        else:
            self.store.apply(op)

    async def sync(self) -> None:
        """Catch up with the other workers (a no-op for a mock on its own)."""
        await self.backend.sync()

    async def transact(self, change: Callable[[], T]) -> T:
        """Run `change` (rules read, then write) as one atomic step for every worker."""
        return await self.backend.transact(change)

    async def write(self, name: str, user: User, **args: Any) -> Any:
        """The API's write `name` (`runtime/writes.py`) by `user`, in every worker's order."""
        return await self.backend.transact(writes.ordered(self.perform, name, user, **args))

    # -- the journal -------------------------------------------------------------------------
    def note(self, call: Answered) -> None:
        self.backend.note(call)

    async def journal_entries(self, since: int = 0, limit: int | None = None) -> list[JournalEntry]:
        return await self.backend.journal_entries(since, limit)

    async def close(self) -> None:
        """At shutdown (the ASGI lifespan)."""
        await self.backend.close()
