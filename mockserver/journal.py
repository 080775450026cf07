"""The journal of recent requests: what was called, how it was answered, and whether forced."""

from __future__ import annotations

import itertools
import time
from collections import deque
from datetime import UTC, datetime
from typing import Any, TypedDict, Unpack

JournalEntry = dict[str, Any]  # id, at and the Noted fields, as JSON (GET /__mock/journal)


def answered_at(seconds: float) -> str:
    """An entry's `at`: when it was answered, in ISO 8601 (UTC), worked out only when the
    journal is read (formatting it per request cost a fifth of the journal's share)."""
    return datetime.fromtimestamp(seconds, UTC).isoformat()


class Noted(TypedDict):
    """What `app.Journaled` notes of each API call; the journal adds its id and `at`."""

    method: str
    path: str
    operation: str | None
    status: int
    forced: str | None
    duration_ms: float
    source: str | None  # with a proxy set: proxy, mock-fallback or mock
    violations: list[dict[str, str]] | None  # a proxied exchange's findings


class Journal:
    def __init__(self, size: int = 500) -> None:
        # (id, time.time() when answered, the Noted fields): a tuple costs a third of a class
        self._entries: deque[tuple[int, float, Noted]] = deque(maxlen=size)
        self._ids = itertools.count(1)

    def record(self, **fields: Unpack[Noted]) -> None:
        """Add an entry (the fields of `Noted`), stamped with the time it was answered: now."""
        self._entries.append((next(self._ids), time.time(), fields))

    def entries(self, since: int = 0, limit: int | None = None) -> list[JournalEntry]:
        rows = [{"id": entry_id, "at": answered_at(at), **fields}
                for entry_id, at, fields in self._entries if entry_id > since]
        return rows[-limit:] if limit else rows

    def clear(self) -> None:
        self._entries.clear()
