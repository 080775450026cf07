"""In-memory store: the mutable state of one process's world.

All methods are synchronous and the server runs them on one event loop, so a check followed by
a write (capacity, session limit) cannot interleave with another request.

Every write is also described as an *op*, a small JSON-able list handed to `on_write` when one
is set, with a function that undoes it: that is how a shared store (store/shared.py) ships one
worker's writes to the others, which replay them with `apply`, and takes back a write that lost
a race.

Each read names what it depends on (a `Key`: one session's registrations, waiting list and
matches, or one user's registrations in an event), and each write notes the keys it changes.
So a view worked out from the store stays true until a write touches one of the keys its reads
named (`changed_since`): the response cache keeps answers across writes to other sessions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextvars import ContextVar
from typing import Any

from accelevents_mock.domain.records import (
    Match,
    Registration,
    Snapshot,
    match_from_row,
    match_row,
    registration_from_row,
    registration_row,
)

Key = tuple[Any, ...]  # ("session", session_id) or ("user", event_id, user_id)
# The keys read while working out one answer, when somebody (the response cache) listens.
READS: ContextVar[set[Key] | None] = ContextVar("store_reads", default=None)


def _read(key: Key) -> None:
    reads = READS.get()
    if reads is not None:
        reads.add(key)


# One write, as JSON, replayed by `MemoryStore.apply`: [kind, *arguments], where kind and
# arguments are: "add" row | "remove" session user | "update" session user changes |
# "set_waiting" session users | "add_match" row | "clear" | "restore" snapshot.
Op = list[Any]


Undo = Callable[[], object]  # takes one write back (what it returns is not used)


class MemoryStore:
    def __init__(self, on_write: Callable[[Op, Undo], None] | None = None) -> None:
        self.on_write = on_write  # told every write, as an op and how to undo it
        self._by_session: dict[int, dict[int, Registration]] = {}
        self._by_user: dict[tuple[int, int], dict[int, Registration]] = {}
        self._waiting: dict[int, list[int]] = {}  # networking session -> users, in arrival order
        self._matches: dict[tuple[int, int], list[Match]] = {}  # (session, user) -> matches
        self.version = 0  # bumped on every write; lets callers cache derived views
        self._written: dict[Key, int] = {}  # key -> the version that last changed it
        self._cleared = 0  # the version of the last clear (every key changed)

    # -- reads ------------------------------------------------------------------------------
    def session_registrations(self, session_id: int) -> list[Registration]:
        _read(("session", session_id))
        return list(self._by_session.get(session_id, {}).values())

    def registration_count(self, session_id: int) -> int:
        _read(("session", session_id))
        return len(self._by_session.get(session_id, ()))

    def attendance(self, session_id: int) -> tuple[int, int]:
        _read(("session", session_id))
        registrations = self._by_session.get(session_id)
        if not registrations:
            return 0, 0
        return len(registrations), len([r for r in registrations.values() if r.attended])

    def registration(self, session_id: int, user_id: int) -> Registration | None:
        _read(("session", session_id))
        return self._by_session.get(session_id, {}).get(user_id)

    def user_registrations(self, event_id: int, user_id: int) -> list[Registration]:
        _read(("user", event_id, user_id))
        return list(self._by_user.get((event_id, user_id), {}).values())

    def changed_since(self, version: int, keys: Iterable[Key]) -> bool:
        """Whether a write after `version` changed any of `keys` (what some reads named)."""
        return self._cleared > version or any(self._written.get(key, 0) > version
                                              for key in keys)

    def _wrote(self, *keys: Key) -> None:
        self.version += 1
        for key in keys:
            self._written[key] = self.version

    # -- writes -----------------------------------------------------------------------------
    def _record(self, op: Op, undo: Undo) -> None:
        if self.on_write is not None:
            self.on_write(op, undo)

    def add(self, registration: Registration) -> None:
        r = registration
        if self.on_write is not None:
            old = self.registration(r.session_id, r.user_id)
            self._record(["add", registration_row(r)],
                         (lambda: self.add(old)) if old else (lambda: self.remove(r.session_id, r.user_id)))
        self._by_session.setdefault(r.session_id, {})[r.user_id] = r
        self._by_user.setdefault((r.event_id, r.user_id), {})[r.session_id] = r
        self._wrote(("session", r.session_id), ("user", r.event_id, r.user_id))

    def remove(self, session_id: int, user_id: int) -> Registration | None:
        registration = self._by_session.get(session_id, {}).pop(user_id, None)
        if registration is not None:
            self._record(["remove", session_id, user_id], lambda: self.add(registration))
            self._by_user[(registration.event_id, user_id)].pop(session_id, None)
            self._wrote(("session", session_id), ("user", registration.event_id, user_id))
        return registration

    def update(self, session_id: int, user_id: int, **changes: object) -> Registration | None:
        registration = self.registration(session_id, user_id)
        if registration is not None:
            old = {name: getattr(registration, name) for name in changes}
            self._record(["update", session_id, user_id, changes],
                         lambda: self.update(session_id, user_id, **old))
            for name, value in changes.items():
                setattr(registration, name, value)
            self._wrote(("session", session_id), ("user", registration.event_id, user_id))
        return registration

    # -- networking -------------------------------------------------------------------------
    def waiting(self, session_id: int) -> list[int]:
        _read(("session", session_id))
        return list(self._waiting.get(session_id, ()))

    def set_waiting(self, session_id: int, user_ids: list[int]) -> None:
        old = self._waiting.get(session_id)
        self._record(["set_waiting", session_id, list(user_ids)],
                     (lambda: self.set_waiting(session_id, old)) if old is not None
                     else (lambda: self._drop_waiting(session_id)))
        self._waiting[session_id] = list(user_ids)
        self._wrote(("session", session_id))

    def matches(self, session_id: int, user_id: int) -> list[Match]:
        _read(("session", session_id))
        return list(self._matches.get((session_id, user_id), ()))

    def add_match(self, match: Match) -> None:
        self._record(["add_match", match_row(match)],
                     lambda: self._drop_match(match))
        self._matches.setdefault((match.session_id, match.user_id), []).append(match)
        self._wrote(("session", match.session_id))

    # Undoing a write is a write too: what was read since may have changed.
    def _drop_waiting(self, session_id: int) -> None:
        self._waiting.pop(session_id, None)
        self._wrote(("session", session_id))

    def _drop_match(self, match: Match) -> None:
        self._matches[(match.session_id, match.user_id)].pop()
        self._wrote(("session", match.session_id))

    def clear(self) -> None:
        if self.on_write is not None:
            before = self.snapshot()
            self._record(["clear"], lambda: self.restore(before))
        for table in (self._by_session, self._by_user, self._waiting, self._matches):
            table.clear()
        self.version += 1
        self._cleared = self.version
        self._written.clear()  # every key changed: _cleared says so

    # -- snapshot ---------------------------------------------------------------------------
    def snapshot(self) -> Snapshot:
        rows = sorted((r for regs in self._by_session.values() for r in regs.values()),
                      key=lambda r: (r.session_id, r.user_id))
        matches = [m for ms in self._matches.values() for m in ms]
        return {
            "registrations": [registration_row(r) for r in rows],
            "waiting": {str(k): v for k, v in sorted(self._waiting.items())},
            "matches": [match_row(m) for m in matches],
        }

    def restore(self, data: Snapshot) -> None:
        before = self.snapshot() if self.on_write is not None else None
        on_write, self.on_write = self.on_write, None  # one op for the lot, not one per row
        try:
            self.clear()
            for row in data["registrations"]:
                self.add(registration_from_row(row))
            for session_id, users in data.get("waiting", {}).items():
                self.set_waiting(int(session_id), [int(u) for u in users])
            for row in data.get("matches", []):
                self.add_match(match_from_row(row))
        finally:
            self.on_write = on_write
        if before is not None:
            self._record(["restore", data], lambda: self.restore(before))

    # -- replay -----------------------------------------------------------------------------
    def apply(self, op: Op) -> None:
        """Replay an op another store recorded."""
        kind, args = op[0], op[1:]
        if kind == "add":
            self.add(registration_from_row(args[0]))
        elif kind == "remove":
            self.remove(*args)
        elif kind == "update":
            self.update(args[0], args[1], **args[2])
        elif kind == "set_waiting":
            self.set_waiting(*args)
        elif kind == "add_match":
            self.add_match(match_from_row(args[0]))
        elif kind == "clear":
            self.clear()
        elif kind == "restore":
            self.restore(args[0])
        else:
            raise ValueError(f"unknown store op {kind!r}")
