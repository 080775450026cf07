"""The journal of recent requests: what was called, how it was answered, and whether forced."""

from __future__ import annotations

import itertools
import time
from collections import deque
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

JournalEntry = dict[str, Any]  # an Entry as JSON (GET /__mock/journal)


def answered_at(seconds: float) -> str:
    """An entry's `at`: when it was answered, in ISO 8601 (UTC), worked out only when the
    journal is read (formatting it per request cost a fifth of the journal's share)."""
    return datetime.fromtimestamp(seconds, UTC).isoformat()


@dataclass(slots=True)
class Entry:
    id: int
    at: float  # time.time() when answered; JSON shows answered_at(at)
    method: str
    path: str
    operation: str | None
    status: int
    forced: str | None
    duration_ms: float
    source: str | None = None  # with a proxy set: proxy, mock-fallback or mock
    violations: list[dict[str, str]] | None = None  # a proxied exchange's findings


class Journal:
    def __init__(self, size: int = 500) -> None:
        self._entries: deque[Entry] = deque(maxlen=size)
        self._ids = itertools.count(1)

    def record(self, **fields: object) -> Entry:
        """Add an entry, stamped with the time it was answered: now."""
        entry = Entry(next(self._ids), time.time(), **fields)  # type: ignore[arg-type]
        self._entries.append(entry)
        return entry

    def entries(self, since: int = 0, limit: int | None = None) -> list[JournalEntry]:
        rows = [{**asdict(e), "at": answered_at(e.at)} for e in self._entries if e.id > since]
        return rows[-limit:] if limit else rows

    def clear(self) -> None:
        self._entries.clear()
