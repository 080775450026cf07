"""Every documented error happens for a real reason (a flow through the world, no forcing) and
can also be forced; both answers carry the catalogue's code and message and match the spec."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from fixtures.cases import LIMITED_PASS_SESSIONS, OTHER_EVENT_URL, TOKENS, UNKNOWN_TOKEN
from mockserver import errors
from tests.api import call


@dataclass(frozen=True)
class Flow:
    """A request that provokes `scenario` on `operation` because of the world's state."""

    scenario: str
    operation: str
    session_case: str = "open_session"
    token: str | None = TOKENS["attendee"]
    eventurl: str = "mock-event"
    params: dict = field(default_factory=dict)
    setup: tuple[tuple[str, str], ...] = ()  # (operation, session case) run first as attendee
    missing_session: bool = False


FLOWS = [
    Flow("not-authorized", "listSessions", token=None),
    Flow("not-authorized", "getSession", token=UNKNOWN_TOKEN),
    Flow("not-authorized", "getSessionAnalytics", token="Bearer " + UNKNOWN_TOKEN),
    Flow("not-event-host", "getHostSession"),
    Flow("not-event-host", "getSessionAnalytics", token=TOKENS["host"], eventurl=OTHER_EVENT_URL),
    Flow("event-not-found", "listSessions", eventurl="no-such-event"),
    Flow("event-not-found", "registerForSession", eventurl="no-such-event"),
    Flow("event-not-found", "getHostSession", token=TOKENS["host"], eventurl="no-such-event"),
    Flow("session-not-found", "getSession", missing_session=True),
    Flow("session-not-found", "getSession", session_case="hidden_session"),
    Flow("session-not-found", "registerForSession", missing_session=True),
    Flow("session-not-found", "joinWorkshopSession", missing_session=True),
    Flow("session-not-found", "getSessionAnalytics", token=TOKENS["host"], missing_session=True),
    Flow("session-not-found", "getHostSession", token=TOKENS["host"], missing_session=True),
    Flow("capacity-reached", "registerForSession", "full_session"),
    Flow("ticket-not-permitted", "registerForSession", "restricted_session",
         token=TOKENS["excluded_attendee"]),
    Flow("session-limit-reached", "registerForSession", token=TOKENS["limited_attendee"]),
    Flow("not-registered-for-event", "registerForSession", token=TOKENS["no_ticket"]),
    Flow("not-registered-for-event", "joinWorkshopSession", "workshop_session",
         token=TOKENS["no_ticket"]),
    Flow("time-limit-expired", "registerForSession", "ended_session"),
    Flow("time-limit-expired", "registerForSession", "upcoming_session"),
    Flow("time-limit-expired", "registerForSession", "late_join_session"),
    Flow("recording-unavailable", "registerForSession", "ended_session",
         params={"pastJoinSession": "true"}),
    Flow("forbidden", "joinWorkshopSession", "workshop_session"),
    Flow("forbidden", "getNetworkingMatches", "networking_session"),
    Flow("wrong-session-format", "joinWorkshopSession", "open_session"),
    Flow("wrong-session-format", "setNetworkingAvailability", "workshop_session",
         params={"status": "CHECK_IN_AVAILABLE"}),
    Flow("already-joined", "unregisterFromSession", "workshop_session",
         setup=(("registerForSession", "workshop_session"),
                ("joinWorkshopSession", "workshop_session"))),
    Flow("bad-request", "listSessions", params={"size": "-5"}),
]


def run_flow(client, cases, flow: Flow, headers: dict | None = None):
    for operation, case in flow.setup:
        assert call(client, operation, session=cases[case]).status_code == 200
    session = 999_999 if flow.missing_session else cases[flow.session_case]
    return call(client, flow.operation, token=flow.token, session=session, eventurl=flow.eventurl,
                params=flow.params, headers=headers)


@pytest.mark.parametrize("flow", FLOWS, ids=lambda f: f"{f.operation}-{f.scenario}")
def test_documented_error_by_a_real_flow(client, cases, flow: Flow) -> None:
    response = run_flow(client, cases, flow)
    case = errors.lookup(flow.scenario, flow.operation)
    assert response.status_code == case.status
    body = response.json()
    assert body["errorCode"] == case.code
    assert body["errorMessage"] == case.render(number_of_sessions_permitted=LIMITED_PASS_SESSIONS)
    assert "X-Mock-Forced" not in response.headers


def test_every_catalogued_scenario_has_a_real_flow() -> None:
    assert {f.scenario for f in FLOWS} == set(errors.SCENARIOS)


FORCEABLE = [(case.scenario, op) for case in errors.CATALOGUE for op in case.operations]


@pytest.mark.parametrize("scenario,operation", FORCEABLE, ids=lambda v: str(v))
def test_documented_error_can_be_forced_by_scenario_header(client, cases, scenario,
                                                           operation) -> None:
    case = errors.lookup(scenario, operation)
    params = {"status": "REGISTERED"} if operation == "setNetworkingAvailability" else None
    response = call(client, operation, session=cases["open_session"], params=params,
                    headers={"X-Mock-Scenario": scenario})
    assert response.status_code == case.status
    assert response.json()["errorCode"] == case.code
    assert response.headers["X-Mock-Forced"] == f"scenario={scenario}"


def test_forcing_by_cookie_query_and_prefer(client, cases) -> None:
    session = cases["open_session"]
    client.cookies.set("mock_scenario", "capacity-reached")
    by_cookie = call(client, "registerForSession", session=session)
    client.cookies.clear()
    by_query = call(client, "registerForSession", session=session,
                    params={"__scenario": "ticket-not-permitted"})
    by_code = call(client, "registerForSession", session=session, headers={"Prefer": "code=407"})
    by_example = call(client, "registerForSession", session=session,
                      headers={"Prefer": "example=session-limit-reached"})
    assert [r.json()["errorCode"] for r in (by_cookie, by_query, by_code, by_example)] == [
        "4062001", "4062005", "4072002", "4062006"]


def test_forcing_does_not_change_the_world(client, cases) -> None:
    session = cases["open_session"]
    call(client, "registerForSession", session=session, headers={"Prefer": "code=406"})
    registered = call(client, "getRegisteredSessions").json()
    assert session not in [s["sessionId"] for s in registered["data"]]


def test_scenario_for_another_operation_leaves_this_one_natural(client) -> None:
    response = call(client, "listSessions", headers={"X-Mock-Scenario": "capacity-reached"})
    assert response.status_code == 200


def test_forcing_a_success_example(client) -> None:
    response = call(client, "listSessions", headers={"Prefer": "example=workshop"})
    assert response.json()["data"][0]["title"] == "First Workshop Session"


@pytest.mark.parametrize("headers", [{"X-Mock-Scenario": "no-such-scenario"},
                                     {"Prefer": "code=418"}, {"Prefer": "example=nope"}])
def test_impossible_forcing_is_a_clear_400(client, headers) -> None:
    response = call(client, "listSessions", headers=headers)
    assert response.status_code == 400 and response.json()["developerMessage"]


def test_limit_message_carries_the_real_number(client, cases) -> None:
    held = call(client, "getRegisteredSessions", token=TOKENS["limited_attendee"]).json()
    assert held["recordsTotal"] == LIMITED_PASS_SESSIONS
    response = call(client, "registerForSession", session=cases["open_session"],
                    token=TOKENS["limited_attendee"])
    assert f"only permits registering for {LIMITED_PASS_SESSIONS} sessions" in \
        response.json()["errorMessage"]
