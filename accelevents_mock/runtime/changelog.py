"""Changes as ops: a change run while its writes are noted (as ops, with how to undo each), taken
back when it loses a race or fails midway, and the networking notices it sent held until it is
committed. A back end replays the ops elsewhere (`accelevents_mock.store.backend.Replica`).

Changes run one after another before the back end settles them are one batch: committed
together (one round trip for all, `store/shared.py`), or taken back together."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from accelevents_mock.runtime.controls import Controls
from accelevents_mock.store.backend import Notice
from accelevents_mock.store.memory import MemoryStore, Op, Undo

T = TypeVar("T")


def cannot_undo() -> None:  # a marker: a reset cannot be taken back step by step
    raise AssertionError("a reset is never undone")


class Changed(Protocol):
    """What a change log needs of the state it records."""

    controls: Controls

    @property
    def store(self) -> MemoryStore: ...


class ChangeLog:
    def __init__(self) -> None:
        self.pending: list[Op] | None = None  # ops of the change being run
        self.undo: list[Undo] = []  # how to take back the store writes of the batch...
        self.controls_before: dict[str, Any] | None = None  # ...and the controls it started from
        self.notices: list[Notice] = []  # sent once the batch is committed
        self.batch_open = False  # changes ran since the last settle or rollback
        self.failed_midway = False  # the last change raised after changing something

    @property
    def running(self) -> bool:
        return self.pending is not None

    def note_write(self, op: Op, undo: Undo) -> None:
        """The store's report of one write (it reports only while a change runs)."""
        assert self.pending is not None
        self.pending.append(op)
        self.undo.append(undo)

    def note_reset(self, world_params: dict[str, Any]) -> None:
        """A reset supersedes whatever the change did before it, and cannot be undone."""
        if self.pending is not None:
            self.pending[:] = [["reset", world_params]]
            self.undo = [cannot_undo]

    def hold(self, notice: Notice) -> bool:
        """Hold a networking notice while a change runs (it may be retried); False: send it."""
        if self.pending is None:
            return False
        self.notices.append(notice)
        return True

    def run(self, state: Changed, change: Callable[[], T]) -> tuple[list[Op], T]:
        """Run `change` as the next of the batch and return the ops that replay it. If it
        raises after changing something (`failed_midway`), the caller must take back the batch
        (`rollback`, else `SharedBackend` replays the shared log); the rules raise before they
        write."""
        before = state.controls.as_data()
        if not self.batch_open:
            self.controls_before, self.notices, self.undo = before, [], []
            self.batch_open = True
        self.pending = []
        # The store describes its writes (ops, undos) only now: a mock on its own never
        # records, and its writes skip that work.
        state.store.on_write = self.note_write
        try:
            result = change()
            ops = self.pending
        except Exception:
            self.failed_midway = bool(self.pending) or state.controls.as_data() != before
            raise
        finally:
            self.pending = None
            state.store.on_write = None  # the store `change` left (a reset installs a new one)
        # A reset starts a new shared log, which must hold everything a worker needs: a worker
        # that missed the old log's last entries (a clock move, say) learns the controls here.
        starts_log = bool(ops) and ops[0][0] == "reset"
        if starts_log or state.controls.as_data() != before:
            ops.append(["controls", state.controls.as_data()])
        return ops, result

    def settle(self) -> None:
        """The batch is committed: the next change starts another."""
        self.batch_open, self.undo, self.notices = False, [], []

    def rollback(self, state: Changed) -> bool:
        """Take back the changes of the batch (it lost a race, or one failed midway). False if
        they cannot be (one rebuilt the world): then replay the shared log instead."""
        self.notices, self.batch_open = [], False
        undo, self.undo = self.undo, []
        if cannot_undo in undo:
            return False
        for step in reversed(undo):
            step()
        if self.controls_before is not None:
            state.controls.load(self.controls_before)
        return True

    def take_notices(self) -> list[Notice]:
        notices, self.notices = self.notices, []
        return notices
