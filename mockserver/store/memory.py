"""In-memory store: the mutable state of one process's world.

All methods are synchronous and the server runs them on one event loop, so a check followed by
a write (capacity, session limit) cannot interleave with another request.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from mockserver.domain.clock import parse_instant


@dataclass(slots=True)
class Registration:
    session_id: int
    event_id: int
    user_id: int
    ticket_id: int
    registered_at: datetime
    attended: bool = False
    status: str = "REGISTERED"


class MemoryStore:
    def __init__(self) -> None:
        self._by_session: dict[int, dict[int, Registration]] = {}
        self._by_user: dict[tuple[int, int], dict[int, Registration]] = {}
        self.version = 0  # bumped on every write; lets callers cache derived views

    # -- reads ------------------------------------------------------------------------------
    def session_registrations(self, session_id: int) -> list[Registration]:
        return list(self._by_session.get(session_id, {}).values())

    def registration_count(self, session_id: int) -> int:
        return len(self._by_session.get(session_id, ()))

    def registration(self, session_id: int, user_id: int) -> Registration | None:
        return self._by_session.get(session_id, {}).get(user_id)

    def user_registrations(self, event_id: int, user_id: int) -> list[Registration]:
        return list(self._by_user.get((event_id, user_id), {}).values())

    # -- writes -----------------------------------------------------------------------------
    def add(self, registration: Registration) -> None:
        r = registration
        self._by_session.setdefault(r.session_id, {})[r.user_id] = r
        self._by_user.setdefault((r.event_id, r.user_id), {})[r.session_id] = r
        self.version += 1

    def remove(self, session_id: int, user_id: int) -> Registration | None:
        registration = self._by_session.get(session_id, {}).pop(user_id, None)
        if registration is not None:
            self._by_user[(registration.event_id, user_id)].pop(session_id, None)
            self.version += 1
        return registration

    def update(self, session_id: int, user_id: int, **changes: object) -> Registration | None:
        registration = self.registration(session_id, user_id)
        if registration is not None:
            for name, value in changes.items():
                setattr(registration, name, value)
            self.version += 1
        return registration

    def clear(self) -> None:
        self._by_session.clear()
        self._by_user.clear()
        self.version += 1

    # -- snapshot ---------------------------------------------------------------------------
    def snapshot(self) -> list[dict]:
        rows = [r for regs in self._by_session.values() for r in regs.values()]
        rows.sort(key=lambda r: (r.session_id, r.user_id))
        return [{**asdict(r), "registered_at": r.registered_at.isoformat()} for r in rows]

    def restore(self, rows: list[dict]) -> None:
        self.clear()
        for row in rows:
            self.add(Registration(**{**row, "registered_at": parse_instant(row["registered_at"])}))
