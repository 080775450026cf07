"""The journal of recent requests: what was called, how it was answered, and whether forced."""

from __future__ import annotations

import itertools
import time
from collections import deque
from datetime import UTC, datetime
from typing import Any, NamedTuple, TypedDict, cast

JournalEntry = dict[str, Any]  # id, at and the Noted fields, as JSON (GET /__mock/journal)


def answered_at(seconds: float) -> str:
    """An entry's `at`: when it was answered, in ISO 8601 (UTC), worked out only when the
    journal is read (formatting it per request cost a fifth of the journal's share)."""
    return datetime.fromtimestamp(seconds, UTC).isoformat()


class Noted(TypedDict):
    """An entry's fields besides its id and `at` (`noted`)."""

    method: str
    path: str
    operation: str | None
    status: int
    forced: str | None
    duration_ms: float
    source: str | None  # with a proxy set: proxy, mock-fallback or mock
    violations: list[dict[str, str]] | None  # a proxied exchange's findings


class Answered(NamedTuple):
    """One API call as `app.Journaled` saw it answered, kept as it is: an entry's fields are
    worked out of it only when the journal is read or stored (`noted`), not per call."""

    method: str
    path: str
    status: int
    seconds: float  # how long the answer took
    notes: dict[str, Any]  # what the call noted on its way (scope["mock"]); not changed after


NOTED_FIELDS = tuple(Noted.__annotations__)  # the order of `noted_values`


def noted_values(call: Answered) -> tuple[Any, ...]:
    """An entry's `Noted` fields, in order."""
    notes = call.notes
    return (call.method, call.path, notes.get("operation"), call.status, notes.get("forced"),
            round(call.seconds * 1000, 2), notes.get("source"), notes.get("violations"))


def noted(call: Answered) -> Noted:
    return cast(Noted, dict(zip(NOTED_FIELDS, noted_values(call), strict=True)))


def packed(at_us: int, call: Answered) -> list[Any]:
    """An entry as the shared journal stores it: when it was answered (µs since the epoch),
    then `Noted`'s fields in order. A list is half the bytes of the entry's JSON object, and
    a third of the work, on every request of a shared store; `unpacked` reads it back."""
    return [at_us, *noted_values(call)]


def unpacked(row: list[Any]) -> dict[str, Any]:
    """A packed entry's `at` and fields, as the journal lists them."""
    return {"at": answered_at(row[0] / 1e6), **dict(zip(NOTED_FIELDS, row[1:], strict=True))}


class Journal:
    def __init__(self, size: int = 500) -> None:
        # (id, time.time() when answered, the call): a tuple costs a third of a class
        self._entries: deque[tuple[int, float, Answered]] = deque(maxlen=size)
        self._ids = itertools.count(1)

    def add(self, call: Answered) -> None:
        """Add an entry, stamped with the time it was answered: now."""
        self._entries.append((next(self._ids), time.time(), call))

    def entries(self, since: int = 0, limit: int | None = None) -> list[JournalEntry]:
        rows = [{"id": entry_id, "at": answered_at(at), **noted(call)}
                for entry_id, at, call in self._entries if entry_id > since]
        return rows[-limit:] if limit else rows

    def clear(self) -> None:
        self._entries.clear()
