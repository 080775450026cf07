"""Networking (MEET_UP) matching: available attendees of a session are paired in order of
arrival, never with themselves, never with someone they are already matched with, and never
twice at once (a matched pair leaves the waiting list until they check in again)."""

from __future__ import annotations

from datetime import datetime

from accelevents_mock.domain.models import AttendeeStatus
from accelevents_mock.domain.records import Match
from accelevents_mock.domain.store import Store


def pair_key(session_id: int, first: int, second: int) -> str:
    low, high = sorted((first, second))
    return f"networking:{session_id}:{low}:{high}"


def update_availability(store: Store, session_id: int, user_id: int,
                        status: AttendeeStatus, now: datetime) -> list[Match]:
    """Apply `user_id`'s new status to the waiting list; return the matches it made."""
    waiting = [u for u in store.waiting(session_id) if u != user_id]
    if status is not AttendeeStatus.CHECK_IN_AVAILABLE:
        store.set_waiting(session_id, waiting)
        return []
    partners = {m.other_id for m in store.matches(session_id, user_id)}
    partner = next((u for u in waiting if u not in partners), None)
    if partner is None:
        store.set_waiting(session_id, [*waiting, user_id])
        return []
    store.set_waiting(session_id, [u for u in waiting if u != partner])
    key = pair_key(session_id, partner, user_id)
    made = [Match(session_id, partner, user_id, now, key), Match(session_id, user_id, partner, now, key)]
    for match in made:
        store.add_match(match)
        store.update(session_id, match.user_id, status=str(AttendeeStatus.IN_MEETING))
    return made
