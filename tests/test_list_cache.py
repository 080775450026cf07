"""The service keeps what depends on the world's facts alone (visible sessions, filter matches,
the static part of each session's view) and works out per call what depends on the caller, the
store and the clock. These tests call the service directly, below the response cache."""

from __future__ import annotations

from datetime import timedelta

import pytest

from accelevents_mock.contract.cases import EVENT_URL, TOKENS
from accelevents_mock.domain.service import ListQuery, MockService


@pytest.fixture
def service(client) -> MockService:
    return client.app.state.service


def ids(page: dict) -> set[int]:
    return {s["sessionId"] for s in page["data"]}


def listing(service: MockService, role: str, **query: object) -> dict:
    user = service.authenticate(TOKENS[role])
    return service.list_sessions(EVENT_URL, user, ListQuery(size=500, **query))


def test_a_ticket_filter_follows_registrations_after_the_facts_were_kept(service, cases) -> None:
    listing(service, "attendee")  # fills the fact caches first
    user = service.authenticate(TOKENS["attendee"])
    ticket_id = service.register(EVENT_URL, user, cases["open_session"]).ticket_id
    assert cases["open_session"] in ids(listing(service, "attendee", ticket_id=ticket_id))
    service.unregister(EVENT_URL, user, cases["open_session"])
    assert cases["open_session"] not in ids(listing(service, "attendee", ticket_id=ticket_id))


def test_past_and_upcoming_flags_follow_the_clock(service, cases) -> None:
    before = listing(service, "attendee")
    assert cases["open_session"] not in ids(listing(service, "attendee", past=True))
    service.clock.advance(timedelta(days=400))  # every session has ended
    after = listing(service, "attendee")
    assert before["upComingSession"] is True
    assert after["upComingSession"] is False and after["pastSession"] is True
    assert cases["open_session"] in ids(listing(service, "attendee", past=True))


def test_stream_secrets_shown_to_a_host_never_reach_an_attendee(service, cases) -> None:
    session_id = cases["open_session"]
    host = service.authenticate(TOKENS["host"])
    attendee = service.authenticate(TOKENS["attendee"])
    shown = service.get_session(EVENT_URL, host, session_id, frozenset({"stats", "duration"}))
    plain = service.get_session(EVENT_URL, attendee, session_id, frozenset())
    assert shown["sessionStats"] is not None and shown["duration"] is not None
    assert plain["sessionStats"] is None and plain["duration"] is None
    assert shown["streamUrl"] is not None
    assert plain["streamUrl"] is None and plain["streamKey"] is None


def test_stats_count_registrations_made_after_the_view_was_first_built(service, cases) -> None:
    session_id = cases["open_session"]
    attendee = service.authenticate(TOKENS["attendee"])
    stats = frozenset({"stats"})
    before = service.get_session(EVENT_URL, attendee, session_id, stats)["sessionStats"]
    service.register(EVENT_URL, attendee, session_id)
    after = service.get_session(EVENT_URL, attendee, session_id, stats)["sessionStats"]
    assert after == {**before, "registeredUserCount": before["registeredUserCount"] + 1}
    assert service.get_session(EVENT_URL, attendee, session_id, frozenset())[
        "currentUserRegisteredEventTicketId"] is not None
