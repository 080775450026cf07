"""Registration changes everything that depends on it, and only through real flows."""

from __future__ import annotations

from datetime import timedelta

from accelevents_mock.contract.cases import TOKENS
from tests.api import call

HOST = TOKENS["host"]


def _analytics(client, session: int) -> dict:
    return call(client, "getSessionAnalytics", token=HOST, session=session,
                params={"expand": "stats,registerdHolderUsers,speaker"}).json()


def test_register_then_unregister_updates_every_view(client, cases) -> None:
    session = cases["open_session"]
    before = _analytics(client, session)
    assert call(client, "registerForSession", session=session).status_code == 200

    detail = call(client, "getSession", session=session, params={"expand": "stats"}).json()
    after = _analytics(client, session)
    registered = call(client, "getRegisteredSessions").json()
    assert detail["currentUserRegisteredEventTicketId"]
    assert after["sessionStats"]["registeredUserCount"] == before["sessionStats"]["registeredUserCount"] + 1
    holders = {h["userId"]: h for h in after["registerdHolderUsers"]}
    attendee_id = next(u["userId"] for u in client.get("/__mock/world").json()["users"]
                       if u["token"] == TOKENS["attendee"])
    assert holders[attendee_id]["eventTicketId"] in detail["currentUserRegisteredEventTicketId"]
    assert session in [s["sessionId"] for s in registered["data"]]

    assert call(client, "unregisterFromSession", session=session).status_code == 200
    assert _analytics(client, session)["sessionStats"] == before["sessionStats"]
    assert call(client, "getSession", session=session).json()["currentUserRegisteredEventTicketId"] is None
    assert session not in [s["sessionId"] for s in call(client, "getRegisteredSessions").json()["data"]]


def test_registering_twice_is_idempotent(client, cases) -> None:
    session = cases["open_session"]
    for _ in range(2):
        assert call(client, "registerForSession", session=session).status_code == 200
    stats = _analytics(client, session)["sessionStats"]
    holders = _analytics(client, session)["registerdHolderUsers"]
    assert stats["registeredUserCount"] == len(holders)
    assert len({h["userId"] for h in holders}) == len(holders)


def test_unregistering_frees_a_seat_of_a_full_session(client, cases) -> None:
    full = cases["full_session"]
    assert call(client, "registerForSession", session=full).status_code == 406
    holder = _analytics(client, full)["registerdHolderUsers"][0]
    token = next(u["token"] for u in client.get("/__mock/world").json()["users"]
                 if u["userId"] == holder["userId"])
    assert call(client, "unregisterFromSession", session=full, token=token).status_code == 200
    assert call(client, "registerForSession", session=full).status_code == 200
    assert call(client, "registerForSession", session=full, token=token).status_code == 406


def test_unregistering_frees_a_slot_of_the_session_limit(client, cases) -> None:
    limited = TOKENS["limited_attendee"]
    assert call(client, "registerForSession", session=cases["open_session"], token=limited).status_code == 406
    held = cases["limited_attendee_sessions"][0]
    assert call(client, "unregisterFromSession", session=held, token=limited).status_code == 200
    assert call(client, "registerForSession", session=cases["open_session"], token=limited).status_code == 200


def test_clock_moves_a_live_session_to_ended_and_registration_to_407(client, cases) -> None:
    session = cases["open_session"]
    state = client.app.state
    summary = {s["sessionId"]: s for s in client.get("/__mock/world").json()["sessions"]}
    assert summary[session]["phase"] == "live"
    client.put("/__mock/clock", json={"advanceMinutes": 24 * 60})
    summary = {s["sessionId"]: s for s in client.get("/__mock/world").json()["sessions"]}
    assert summary[session]["phase"] == "ended"
    response = call(client, "registerForSession", session=session)
    assert (response.status_code, response.json()["errorCode"]) == (407, "4072002")
    assert state.clock.now() - state.world.anchor >= timedelta(hours=24)


def test_join_session_books_an_upcoming_session(client, cases) -> None:
    upcoming = cases["upcoming_session"]
    assert call(client, "registerForSession", session=upcoming).status_code == 407
    booked = call(client, "registerForSession", session=upcoming, params={"joinSession": "true"})
    assert booked.status_code == 200


def test_workshop_join_gives_one_meeting_and_a_stable_attendee_per_user(client, cases) -> None:
    workshop = cases["workshop_session"]
    answers = {}
    for token in (TOKENS["attendee"], TOKENS["networker"]):
        assert call(client, "registerForSession", session=workshop, token=token).status_code == 200
        answers[token] = call(client, "joinWorkshopSession", session=workshop, token=token).json()
    again = call(client, "joinWorkshopSession", session=workshop).json()
    first, second = answers.values()
    assert first["meeting"] == second["meeting"] == again["meeting"]
    assert first["attendee"]["AttendeeId"] != second["attendee"]["AttendeeId"]
    assert again["attendee"] == first["attendee"]
    assert set(first["meeting"]["MediaPlacement"]) >= {
        "AudioHostUrl", "AudioFallbackUrl", "SignalingUrl", "TurnControlUrl", "ScreenDataUrl",
        "ScreenSharingUrl", "ScreenViewingUrl", "EventIngestionUrl"}
    assert first["sessionStats"]["attendeeCount"] == 1  # joining counts as attending


def test_workshop_join_needs_a_live_session(client, cases) -> None:
    workshop = cases["workshop_session"]
    call(client, "registerForSession", session=workshop)
    client.put("/__mock/clock", json={"advanceMinutes": 24 * 60})
    response = call(client, "joinWorkshopSession", session=workshop)
    assert (response.status_code, response.json()["errorCode"]) == (407, "4072002")


def test_every_credential_header_style_is_accepted(client) -> None:
    token = TOKENS["attendee"]
    for headers in ({"Authorization": token}, {"Authorization": f"Bearer {token}"},
                    {"Key": token}, {"AUTHENTICATION": token}):
        assert call(client, "listSessions", token=None, headers=headers).status_code == 200


def test_hidden_sessions_are_for_hosts_only(client, cases) -> None:
    hidden = cases["hidden_session"]

    def listed(token: str) -> set[int]:
        body = call(client, "listSessions", token=token, params={"size": 1000}).json()
        return {s["sessionId"] for s in body["data"]}

    assert hidden not in listed(TOKENS["attendee"])
    assert hidden in listed(HOST)
    assert call(client, "getHostSession", token=HOST, session=hidden).status_code == 200


def test_paging_and_filters(client) -> None:
    everything = call(client, "listSessions", params={"size": 1000}).json()
    total = everything["recordsTotal"]
    pages = [call(client, "listSessions", params={"page": p, "size": 7}).json()["data"]
             for p in range(0, total // 7 + 1)]
    assert [s["sessionId"] for page in pages for s in page] == \
        [s["sessionId"] for s in everything["data"]]
    workshops = call(client, "listSessions", params={"sessionFormat": "WORKSHOP", "size": 1000}).json()
    assert workshops["recordsFiltered"] == len(workshops["data"]) >= 1
    assert {s["format"] for s in workshops["data"]} == {"WORKSHOP"}
    assert workshops["recordsTotal"] == total
    past = call(client, "listSessions", params={"past": "true", "size": 1000}).json()
    assert past["pastSession"] is True and past["upComingSession"] is False
    title = everything["data"][3]["title"]
    found = call(client, "listSessions", params={"searchString": title.upper()}).json()
    assert title in [s["title"] for s in found["data"]]


def test_expand_controls_the_optional_parts(client, cases) -> None:
    session = cases["open_session"]
    plain = call(client, "getSession", session=session).json()
    expanded = call(client, "getSession", session=session, params={"expand": "STATS,duration"}).json()
    assert plain["sessionStats"] is None and plain["duration"] is None
    assert expanded["sessionStats"]["id"] == session and expanded["duration"] > 0
    holders = call(client, "getSession", session=session,
                   params={"expand": "registerdHolderUsers"}).json()
    assert holders["registerdHolderUsers"] is None  # attendees never see other registrants


def test_stream_secrets_only_for_registered_callers(client, cases) -> None:
    session = cases["open_session"]
    host_view = call(client, "getHostSession", token=HOST, session=session).json()
    before = call(client, "getSession", session=session).json()
    call(client, "registerForSession", session=session)
    after = call(client, "getSession", session=session).json()
    secret_fields = ("streamUrl", "streamKey", "rtmpUrl", "playBackRestrictionToken")
    assert all(before[f] is None for f in secret_fields)
    assert [after[f] for f in secret_fields] == [host_view[f] for f in secret_fields]
    assert any(after[f] for f in secret_fields)
