"""The seeded world: deterministic, consistent across its parts, and holding the named cases."""

from __future__ import annotations

from accelevents_mock.contract import cases as named
from accelevents_mock.domain.models import SessionFormat
from accelevents_mock.world.builder import build_world
from tests.conftest import FIXED_NOW, make_client

REQUESTS = [
    ("GET", "/rest/events/mock-event/session?size=50&expand=stats,duration"),
    ("POST", "/rest/events/mock-event/session/11001/register"),
    ("GET", "/rest/events/mock-event/user-session/registered?expand=stats"),
    ("GET", "/rest/events/mock-event/session/v2/11001"),
]


def _responses(seed: int) -> list[bytes]:
    client = make_client(seed=seed)
    client.get("/__mock/world")
    return [client.request(m, u, headers={"Authorization": "attendee-token"}).content
            for m, u in REQUESTS]


def test_same_seed_gives_byte_identical_responses() -> None:
    assert _responses(42) == _responses(42)


def test_another_seed_gives_another_world() -> None:
    assert _responses(42)[0] != _responses(7)[0]


def test_world_has_all_seven_formats_and_the_named_cases() -> None:
    world = build_world(42, 36, FIXED_NOW)
    assert {s.format for s in world.sessions.values()} == set(SessionFormat)
    assert {case.key for case in named.SEEDED} <= set(world.cases)
    assert set(named.TOKENS.values()) <= set(world.users_by_token)
    assert named.UNKNOWN_TOKEN not in world.users_by_token


def test_world_parts_refer_to_each_other() -> None:
    world = build_world(42, 200, FIXED_NOW)
    for speaker in world.speakers.values():
        assert speaker.user_id in world.users
    for session in world.sessions.values():
        assert set(session.speaker_ids) <= set(world.speakers)
        assert set(session.track_ids) <= set(world.tracks)
        assert set(session.ticket_type_ids) <= set(world.ticket_types)
    for session_id, user_id, ticket_id in world.initial_registrations:
        ticket = world.tickets[ticket_id]
        assert ticket.user_id == user_id
        assert ticket.event_id == world.sessions[session_id].event_id


def test_initial_registrations_respect_capacity() -> None:
    world = build_world(42, 500, FIXED_NOW)
    counts: dict[int, int] = {}
    for session_id, _, _ in world.initial_registrations:
        counts[session_id] = counts.get(session_id, 0) + 1
    for session_id, count in counts.items():
        capacity = world.sessions[session_id].capacity
        assert not capacity or count <= capacity
    assert counts[world.cases["full_session"]] == named.FULL_SESSION_CAPACITY


def test_ten_thousand_sessions_build() -> None:
    world = build_world(42, 10_000, FIXED_NOW)
    main = world.events[named.EVENT_URL]
    assert len(world.sessions_by_event[main.id]) == 10_000
    assert len({s.title for s in world.sessions.values()}) == len(world.sessions)
