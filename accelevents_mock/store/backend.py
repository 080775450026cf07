"""The one narrow interface between a mock's state and where its changes live.

A `Backend` runs each change of the state as one atomic step, brings the local copy up to date
and keeps the request journal. `LocalBackend` is a mock on its own; `SharedBackend`
(`accelevents_mock/store/shared.py`, `--store redis://`) gives many workers one world.

A back end sees the state only as a `Replica`: something that runs a change while recording it
as ops, can take it back, and replays ops recorded elsewhere. Neither back end imports the state.

A change comes in one of two shapes:

- any function of the state (the control API's changes): run here, recorded as the writes it
  made (ops), which the other copies replay;
- an `Ordered` change (the API's writes: register, un-register, join, networking status): the
  request itself as one op, which every copy runs itself, rules and all, in the order the
  shared log gives (state-machine replication). On a shared store it is never run ahead of
  that order, so it never loses a race and never runs twice.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from accelevents_mock.store.journal import Answered, Journal, JournalEntry
from accelevents_mock.store.memory import Op

T = TypeVar("T")
Notice = tuple[int, dict[str, Any]]  # (user id, networking notice) for the user's sockets


ORDERED = "run"  # the kind of an `Ordered` change's op: [ORDERED, name, arguments, at, (tag)]


class Ordered:
    """A change that is its own op ([ORDERED, name, arguments, at]): `perform` runs it. A
    shared back end may add a tag of its own to the op (its fifth item), to know it again."""

    __slots__ = ("op", "_perform")

    def __init__(self, op: Op, perform: Callable[[Op], Any]) -> None:
        self.op, self._perform = op, perform

    def __call__(self) -> Any:
        return self._perform(self.op)


class Replica(Protocol):
    """One process's copy of the world, as a back end drives it (`MockState` is one)."""

    @property
    def failed_midway(self) -> bool:
        """The last change raised after changing something."""
        ...

    def run_change(self, change: Callable[[], T]) -> tuple[list[Op], T]:
        """Run `change` and return the ops that replay it. Changes run until `settle` or
        `rollback` are one batch."""
        ...

    def rollback(self) -> bool:
        """Take back the batch of changes run since the last `settle`; False if it cannot
        (then replay from scratch)."""
        ...

    def settle(self) -> None:
        """The batch is committed: forget how to take it back."""
        ...

    def apply(self, op: Op, announce: bool = True) -> None:
        """Replay one op recorded here or by another worker (an `Ordered` change's op too, its
        refusal, if any, being nobody's answer here, and its networking notices sent to the
        sockets this copy holds only if `announce`)."""
        ...

    def perform(self, op: Op) -> Any:
        """Run an `Ordered` change's op on this copy now, and answer with its outcome."""
        ...

    def opening_ops(self) -> list[Op]:
        """What this copy's world and controls are, as ops that rebuild them elsewhere."""
        ...

    def snapshot_ops(self) -> list[Op]:
        """The whole present state as ops (the opening ops plus the store's snapshot)."""
        ...

    def take_notices(self) -> list[Notice]:
        """Networking notices held back by the last recorded change."""
        ...

    def deliver(self, notice: Notice) -> None:
        """Send a notice to the sockets this process holds."""
        ...


class Backend(Protocol):
    async def sync(self) -> None:
        """Catch up with the other workers (nothing to do for a mock on its own)."""
        ...

    async def transact(self, change: Callable[[], T]) -> T:
        """Run `change` (rules read, then write) as one atomic step for every worker."""
        ...

    def note(self, call: Answered) -> None:
        """Add a call to the journal (no waiting: a shared journal is written behind)."""
        ...

    async def journal_entries(self, since: int = 0, limit: int | None = None) -> list[JournalEntry]:
        ...

    def forget_journal(self) -> None:
        """The world was rebuilt: the journal of the old one goes (locally; shared: in Redis
        with the reset's log entry)."""
        ...

    async def close(self) -> None:
        """At shutdown: keep what must be kept (the shared journal's last entries)."""
        ...


class LocalBackend:
    """A mock on its own: changes run as they are, the journal is in memory."""

    def __init__(self, journal_size: int) -> None:
        self.journal = Journal(journal_size)

    async def sync(self) -> None:
        return None

    async def transact(self, change: Callable[[], T]) -> T:
        return change()

    def note(self, call: Answered) -> None:
        self.journal.add(call)

    async def journal_entries(self, since: int = 0, limit: int | None = None) -> list[JournalEntry]:
        return self.journal.entries(since, limit)

    def forget_journal(self) -> None:
        self.journal.clear()

    async def close(self) -> None:
        return None
