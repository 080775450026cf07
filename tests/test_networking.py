"""Networking sessions: availability, deterministic matching, polling, and the socket notice
(with a real WebSocket client against the mock running as a process)."""

from __future__ import annotations

import json

import httpx
import pytest
from websockets.sync.client import connect

from accelevents_mock.contract.cases import TOKENS
from tests.api import call
from tests.live import running_mock

AVAILABLE = {"status": "CHECK_IN_AVAILABLE"}


def _check_in(client, session: int, token: str, status: str = "CHECK_IN_AVAILABLE") -> None:
    assert call(client, "registerForSession", session=session, token=token).status_code == 200
    assert call(client, "setNetworkingAvailability", session=session, token=token,
                params={"status": status}).status_code == 200


def _matches(client, session: int, token: str) -> list[dict]:
    response = call(client, "getNetworkingMatches", session=session, token=token)
    assert response.status_code == 200, response.text
    return response.json()


def _user_id(client, token: str) -> int:
    return next(u["userId"] for u in client.get("/__mock/world").json()["users"]
                if u["token"] == token)


def test_two_available_attendees_are_matched_and_share_a_meeting(client, cases) -> None:
    session = cases["networking_session"]
    _check_in(client, session, TOKENS["attendee"])
    assert _matches(client, session, TOKENS["attendee"]) == []  # alone: waiting
    _check_in(client, session, TOKENS["networker"])
    mine = _matches(client, session, TOKENS["attendee"])
    theirs = _matches(client, session, TOKENS["networker"])
    assert len(mine) == len(theirs) == 1
    assert mine[0]["meeting"] == theirs[0]["meeting"]
    assert mine[0]["attendee"]["AttendeeId"] != theirs[0]["attendee"]["AttendeeId"]
    assert mine[0]["userIdOfMatch"] != theirs[0]["userIdOfMatch"]
    assert mine[0]["sessionId"] == session and mine[0]["matchStarted"] is True


def test_a_third_attendee_waits_and_nobody_is_matched_twice_at_once(client, cases) -> None:
    session = cases["networking_session"]
    for token in (TOKENS["attendee"], TOKENS["networker"], TOKENS["excluded_attendee"]):
        _check_in(client, session, token)
    assert _matches(client, session, TOKENS["excluded_attendee"]) == []
    assert client.app.state.store.waiting(session) == [
        u["userId"] for u in client.get("/__mock/world").json()["users"]
        if u["token"] == TOKENS["excluded_attendee"]]


def test_checking_in_again_matches_with_someone_new_never_the_same_pair(client, cases) -> None:
    session = cases["networking_session"]
    _check_in(client, session, TOKENS["attendee"])
    _check_in(client, session, TOKENS["networker"])  # first match: attendee + networker
    # Both come back; the only one waiting for the attendee is its old partner: no match.
    call(client, "setNetworkingAvailability", session=session, params=AVAILABLE,
         token=TOKENS["networker"])
    call(client, "setNetworkingAvailability", session=session, params=AVAILABLE)
    assert len(_matches(client, session, TOKENS["attendee"])) == 1
    assert len(client.app.state.store.waiting(session)) == 2
    # A newcomer is matched with the first one waiting: someone new for both.
    _check_in(client, session, TOKENS["excluded_attendee"])
    partners = [m["userIdOfMatch"] for m in _matches(client, session, TOKENS["networker"])]
    assert len(partners) == len(set(partners)) == 2


def test_leaving_removes_the_attendee_from_the_waiting_list(client, cases) -> None:
    session = cases["networking_session"]
    _check_in(client, session, TOKENS["attendee"])
    call(client, "setNetworkingAvailability", session=session, params={"status": "LEFT"})
    _check_in(client, session, TOKENS["networker"])
    assert _matches(client, session, TOKENS["networker"]) == []


def test_matching_is_deterministic_for_a_seed_and_order(client, cases) -> None:
    """The same seed and order of arrivals give the same pairs, meetings and attendees: a
    newcomer is matched with the first one waiting, never by a draw."""
    session = cases["networking_session"]
    networker = _user_id(client, TOKENS["networker"])

    def run() -> dict[str, list[dict]]:
        assert client.post("/__mock/reset").status_code == 200
        _check_in(client, session, TOKENS["attendee"])
        _check_in(client, session, TOKENS["networker"])  # matched with the attendee
        # Both back (the networker first): two wait, so the newcomer's partner is a choice.
        for token in (TOKENS["networker"], TOKENS["attendee"]):
            assert call(client, "setNetworkingAvailability", session=session, token=token,
                        params=AVAILABLE).status_code == 200
        _check_in(client, session, TOKENS["excluded_attendee"])
        return {who: _matches(client, session, TOKENS[who])
                for who in ("attendee", "networker", "excluded_attendee")}

    first = run()
    assert [m["userIdOfMatch"] for m in first["excluded_attendee"]] == [networker]
    assert run() == first


def test_sessions_and_events_are_isolated(client, cases) -> None:
    """Two attendees available at once, in another event's networking session and in this
    one: each waits in its own, until someone checks in beside them."""
    here, other = cases["networking_session"], cases["other_event_networking_session"]
    assert call(client, "registerForSession", eventurl="other-event",
                session=other).status_code == 200
    assert call(client, "setNetworkingAvailability", eventurl="other-event", session=other,
                params=AVAILABLE).status_code == 200
    _check_in(client, here, TOKENS["networker"])
    assert _matches(client, here, TOKENS["networker"]) == []
    theirs = call(client, "getNetworkingMatches", eventurl="other-event", session=other)
    assert (theirs.status_code, theirs.json()) == (200, [])
    networker = _user_id(client, TOKENS["networker"])
    assert client.app.state.store.waiting(here) == [networker]
    assert client.app.state.store.waiting(other) == [_user_id(client, TOKENS["attendee"])]
    # The same attendee in this session is matched at once: matching itself works.
    _check_in(client, here, TOKENS["attendee"])
    assert [m["userIdOfMatch"] for m in _matches(client, here, TOKENS["attendee"])] == [networker]


@pytest.mark.parametrize("case,token,status,code", [
    ("networking_session", TOKENS["attendee"], 403, "403"),  # not registered
    ("workshop_session", TOKENS["attendee"], 400, "4002001"),  # not a networking session
    ("networking_session", TOKENS["no_ticket"], 406, "4068910"),
])
def test_availability_refusals(client, cases, case, token, status, code) -> None:
    response = call(client, "setNetworkingAvailability", session=cases[case], token=token,
                    params=AVAILABLE)
    assert (response.status_code, response.json()["errorCode"]) == (status, code)


def test_availability_after_the_session_ended_is_407(client, cases) -> None:
    session = cases["networking_session"]
    call(client, "registerForSession", session=session)
    client.put("/__mock/clock", json={"advanceMinutes": 24 * 60})
    response = call(client, "setNetworkingAvailability", session=session, params=AVAILABLE)
    assert (response.status_code, response.json()["errorCode"]) == (407, "4072002")


def test_snapshot_keeps_matches_and_waiting_list(client, cases) -> None:
    session = cases["networking_session"]
    for token in (TOKENS["attendee"], TOKENS["networker"], TOKENS["excluded_attendee"]):
        _check_in(client, session, token)
    snapshot = client.get("/__mock/state").json()
    before = _matches(client, session, TOKENS["attendee"])
    client.post("/__mock/reset")
    client.put("/__mock/state", json=snapshot)
    assert _matches(client, session, TOKENS["attendee"]) == before
    assert client.app.state.store.waiting(session) != []


# -- real WebSocket clients against the mock as a process -------------------------------------

def _receive(ws, timeout: float = 5) -> dict:
    return json.loads(ws.recv(timeout=timeout))


def test_socket_notices_reach_both_attendees_and_only_them() -> None:
    with running_mock() as live:
        world = httpx.get(f"{live.base_url}/__mock/world").json()
        session = world["cases"]["networking_session"]
        rest = f"{live.base_url}/rest/events/mock-event/session/{session}"
        ws_url = live.base_url.replace("http", "ws", 1) + "/__mock/socket?token="

        def check_in(token: str) -> None:
            headers = {"Authorization": token}
            assert httpx.post(f"{rest}/register", headers=headers).status_code == 200
            assert httpx.put(f"{rest}/status", params=AVAILABLE, headers=headers).status_code == 200

        with connect(ws_url + TOKENS["attendee"]) as first, \
                connect(ws_url + TOKENS["networker"]) as second, \
                connect(ws_url + TOKENS["excluded_attendee"]) as third:
            for ws in (first, second, third):
                assert _receive(ws)["type"] == "CONNECTED"
            check_in(TOKENS["attendee"])
            check_in(TOKENS["networker"])
            one, two = _receive(first), _receive(second)
            assert one["type"] == two["type"] == "NETWORKING_MATCH"
            assert one["match"]["meeting"] == two["match"]["meeting"]
            check_in(TOKENS["excluded_attendee"])  # waits: nobody left
            with pytest.raises(TimeoutError):
                third.recv(timeout=0.5)

        # a disconnected client loses nothing: the match is still there by polling
        polled = httpx.get(f"{rest}/matches", headers={"Authorization": TOKENS["attendee"]}).json()
        assert polled == [one["match"]]


def test_socket_refuses_an_unknown_token() -> None:
    with running_mock() as live:
        url = live.base_url.replace("http", "ws", 1) + "/__mock/socket?token=unknown-token"
        with connect(url) as ws:
            notice = _receive(ws)
            assert notice["type"] == "ERROR" and notice["errorCode"] == "4010101"


def test_simulated_networker_matches_a_lone_attendee() -> None:
    with running_mock("--simulate-networking", "0.2") as live:
        world = httpx.get(f"{live.base_url}/__mock/world").json()
        session = world["cases"]["networking_session"]
        rest = f"{live.base_url}/rest/events/mock-event/session/{session}"
        headers = {"Authorization": TOKENS["attendee"]}
        url = live.base_url.replace("http", "ws", 1) + "/__mock/socket?token=" + TOKENS["attendee"]
        with connect(url) as ws:
            _receive(ws)
            httpx.post(f"{rest}/register", headers=headers)
            httpx.put(f"{rest}/status", params=AVAILABLE, headers=headers)
            notice = _receive(ws)
        assert notice["type"] == "NETWORKING_MATCH"
        assert notice["match"]["userIdOfMatch"] not in {
            u["userId"] for u in world["users"] if u["case"]}
