"""Sessions, alone or in a list, are sent already encoded (views.session_json): the world's facts
are encoded once per session, what the caller, `expand` and the store decide, per call. Those bytes
must be exactly what the sessions' views (views.session_view, plain dicts) encode to, in every
state, and follow every change at once."""

from __future__ import annotations

import contextlib
from datetime import timedelta

import pytest

from accelevents_mock.contract.cases import EVENT_URL, TOKENS, Role
from accelevents_mock.contract.catalogue import ApiError
from accelevents_mock.domain.service import ListQuery, MockService
from accelevents_mock.http import dumps
from tests.conftest import make_client

EXPANDS = [frozenset(), frozenset({"stats"}), frozenset({"speaker", "stats"}),
           frozenset({"stats", "duration", "registerdHolderUsers", "attendeeCount"})]
FILTERS: list[dict] = [{}, {"page": 1, "size": 7}, {"past": True}, {"past": False},
                       {"session_format": "WORKSHOP"}, {"search": "data"}, {"page": 9}]


@pytest.fixture
def service(client) -> MockService:
    return client.app.state.service


def assert_encoded_as_views(service: MockService) -> int:
    """Every role's lists (for each filter and `expand`) and sessions, encoded both ways; how
    many sessions were compared."""
    compared = 0
    for token in TOKENS.values():
        user = service.authenticate(token)
        event_id = service.event(EVENT_URL).id
        mine = [r.ticket_id for r in service.store.user_registrations(event_id, user.id)]
        for expand in EXPANDS:
            for query in [ListQuery(**{"expand": expand, "size": 500, **f}) for f in FILTERS] + [
                    ListQuery(expand=expand, size=500, ticket_id=t) for t in mine[:1]]:
                for listing in (service.list_sessions, service.registered_sessions):
                    plain = listing(EVENT_URL, user, query)
                    assert dumps(listing(EVENT_URL, user, query, as_json=True)) == dumps(plain)
                    compared += len(plain["data"])
        for session in service.world.sessions_by_event[service.event(EVENT_URL).id]:
            for expand in EXPANDS:
                try:
                    plain = service.get_session(EVENT_URL, user, session.id, expand)
                except ApiError:
                    continue  # hidden from this caller (both ways: it is one check)
                encoded = service.get_session(EVENT_URL, user, session.id, expand, as_json=True)
                assert dumps(encoded) == dumps(plain)
                compared += 1
    return compared


def register_some(service: MockService, cases: dict) -> None:
    """Registrations of several roles wherever the rules allow them; one of them attended."""
    sessions = service.world.sessions_by_event[service.event(EVENT_URL).id]
    for role in ("attendee", "host", "networker", "speaker"):
        user = service.authenticate(TOKENS[role])
        for session in sessions:
            with contextlib.suppress(ApiError):  # a rule refuses it: others remain
                service.register(EVENT_URL, user, session.id)
    attendee = service.authenticate(TOKENS["attendee"])
    assert service.store.update(cases["open_session"], attendee.id, attended=True) is not None
    assert len(service.store.user_registrations(service.event(EVENT_URL).id, attendee.id)) > 3


def test_encoded_lists_are_the_bytes_of_the_views_in_every_state(service, cases) -> None:
    assert assert_encoded_as_views(service) > 1000  # the world as it starts
    register_some(service, cases)
    assert assert_encoded_as_views(service) > 1000  # registrations (some attended) shown
    service.clock.advance(timedelta(hours=30))
    assert assert_encoded_as_views(service) > 1000


def test_a_list_answer_follows_a_registration_and_the_clock_at_once(cases) -> None:
    client = make_client(response_cache=False)
    path = "/rest/events/mock-event/session?size=500&expand=stats"
    headers = {"Authorization": TOKENS["attendee"]}
    service = client.app.state.service
    user = service.authenticate(TOKENS["attendee"])
    query = ListQuery(size=500, expand=frozenset({"stats"}))

    def answer() -> bytes:
        response = client.get(path, headers=headers)
        assert response.status_code == 200
        assert response.content == dumps(service.list_sessions(EVENT_URL, user, query))
        return response.content

    def shown(body: bytes) -> dict:
        import json
        return next(s for s in json.loads(body)["data"] if s["sessionId"] == cases["open_session"])

    before = answer()
    register = f"/rest/events/mock-event/session/{cases['open_session']}/register"
    assert client.post(register, headers=headers).status_code == 200
    registered = answer()
    assert shown(registered)["currentUserRegisteredEventTicketId"] is not None
    assert (shown(registered)["sessionStats"]["registeredUserCount"]
            == shown(before)["sessionStats"]["registeredUserCount"] + 1)
    assert client.put("/__mock/clock", json={"advanceMinutes": 400 * 24 * 60}).status_code == 200
    later = answer()
    assert b'"upComingSession":true' in registered and b'"upComingSession":false' in later


def test_session_stats_count_registrations_and_who_attended(service) -> None:
    """`sessionStats` counts a session's registrations and, of them, those marked attended
    (Store.attendance), in the dict views and the encoded ones alike."""
    store = service.store
    event_id = service.event(EVENT_URL).id
    session = next(s for s in service.world.sessions_by_event[event_id]
                   if store.registration_count(s.id) >= 2)
    attended = store.session_registrations(session.id)[0]
    store.update(session.id, attended.user_id, attended=True)
    host = service.authenticate(TOKENS[Role.HOST])
    query = ListQuery(expand=frozenset({"stats"}), size=500)
    page = service.list_sessions(EVENT_URL, host, query)
    shown = {item["sessionId"]: item["sessionStats"] for item in page["data"]}
    assert shown[session.id]["attendeeCount"] == 1
    assert {sid: (stats["registeredUserCount"], stats["attendeeCount"])
            for sid, stats in shown.items()} == {
        sid: (len(regs := store.session_registrations(sid)), len([r for r in regs if r.attended]))
        for sid in shown}
    assert dumps(service.list_sessions(EVENT_URL, host, query, as_json=True)) == dumps(page)
