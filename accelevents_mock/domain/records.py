"""The records the mock's state is made of, and their JSON rows (for snapshots and the shared log).

Plain data: the domain's rules read them, the stores keep them.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, TypedDict

from accelevents_mock.domain.clock import parse_instant

Row = dict[str, Any]  # a record as JSON: datetimes as ISO 8601 strings


@dataclass(slots=True)
class Registration:
    session_id: int
    event_id: int
    user_id: int
    ticket_id: int
    registered_at: datetime
    attended: bool = False
    status: str = "REGISTERED"


@dataclass(slots=True)
class Match:
    """One side of a networking match: `user_id` was matched with `other_id`."""

    session_id: int
    user_id: int
    other_id: int
    matched_at: datetime
    meeting_key: str  # the shared Chime meeting of this pair


def _row(record: Registration | Match, names: tuple[str, ...]) -> Row:
    # Not dataclasses.asdict: it deep-copies every value (its datetime too), about 8x dearer,
    # and a row is made on every write.
    return {name: getattr(record, name) for name in names}


REGISTRATION_FIELDS = tuple(f.name for f in fields(Registration))
MATCH_FIELDS = tuple(f.name for f in fields(Match))


def registration_row(r: Registration) -> Row:
    return {**_row(r, REGISTRATION_FIELDS), "registered_at": r.registered_at.isoformat()}


def match_row(m: Match) -> Row:
    return {**_row(m, MATCH_FIELDS), "matched_at": m.matched_at.isoformat()}


def registration_from_row(row: Row) -> Registration:
    return Registration(**{**row, "registered_at": parse_instant(row["registered_at"])})


def match_from_row(row: Row) -> Match:
    return Match(**{**row, "matched_at": parse_instant(row["matched_at"])})


class Snapshot(TypedDict):
    """Everything a store holds, as JSON (`GET /__mock/state`, the shared log's compaction)."""

    registrations: list[Row]
    waiting: dict[str, list[int]]  # networking session id -> waiting users, in arrival order
    matches: list[Row]
