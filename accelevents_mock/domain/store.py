"""What the domain needs of a store: the narrow interface every back end implements.

The rules and the service read and write registrations, the networking waiting lists and
matches through this protocol only; `accelevents_mock.store.memory.MemoryStore` implements it (and
the Redis back end replicates that store's writes between workers).
"""

from __future__ import annotations

from typing import Any, Protocol

from accelevents_mock.domain.records import Match, Registration


class Store(Protocol):
    @property
    def version(self) -> int:
        """Bumped on every write: lets callers cache views derived from the store."""
        ...

    # -- registrations -----------------------------------------------------------------------
    def session_registrations(self, session_id: int) -> list[Registration]: ...

    def registration_count(self, session_id: int) -> int: ...

    def attendance(self, session_id: int) -> tuple[int, int]:
        """(registered, attended) of a session: its stats, without listing its registrations
        (a list shows them for every session it lists)."""
        ...

    def registration(self, session_id: int, user_id: int) -> Registration | None: ...

    def user_registrations(self, event_id: int, user_id: int) -> list[Registration]: ...

    def add(self, registration: Registration) -> None: ...

    def remove(self, session_id: int, user_id: int) -> Registration | None: ...

    def update(self, session_id: int, user_id: int, **changes: Any) -> Registration | None: ...

    # -- networking ----------------------------------------------------------------------------
    def waiting(self, session_id: int) -> list[int]: ...

    def set_waiting(self, session_id: int, user_ids: list[int]) -> None: ...

    def matches(self, session_id: int, user_id: int) -> list[Match]: ...

    def add_match(self, match: Match) -> None: ...
