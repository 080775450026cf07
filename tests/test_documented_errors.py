"""Every documented error happens for a real reason (a flow through the world, no forcing) and
can also be forced; both answers carry the catalogue's code and message and match the spec."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from accelevents_mock.contract import catalogue, flows
from accelevents_mock.contract.cases import (
    LIMITED_PASS_SESSIONS,
    OTHER_EVENT_URL,
    TOKENS,
    Cases,
    Role,
    SessionCase,
    cases_from_world,
)
from accelevents_mock.contract.catalogue import Scenario
from accelevents_mock.contract.spec import BASE_PATH
from tests.api import call

# Data for every case and role: which flows exist at all (the mock must be able to play them all).
EVERY_CASE = Cases("every case", "e", sessions={case: 1 for case in SessionCase},
                   tokens={role: "t" for role in Role}, sessions_permitted=2, clock_control=True)


def world_cases(client: TestClient) -> Cases:
    return cases_from_world(client.get("/__mock/world").json())


REAL_FLOWS = [(scenario, operation, recipe.variant)
              for scenario, operation in flows.pairs()
              for recipe in flows.recipes(scenario, operation, EVERY_CASE)]


@pytest.mark.parametrize(("scenario", "operation", "variant"), REAL_FLOWS,
                         ids=[f"{o}-{s}-{v}" for s, o, v in REAL_FLOWS])
def test_documented_error_by_a_real_flow(client: TestClient, scenario: Scenario, operation: str,
                                         variant: str) -> None:
    named = world_cases(client)
    recipe = next(r for r in flows.recipes(scenario, operation, named) if r.variant == variant)
    api = TestClient(client.app, base_url="http://testserver" + BASE_PATH,
                     raise_server_exceptions=False)
    problems = flows.drive(api, client, recipe, named)
    assert problems == []


def test_every_documented_pair_has_a_real_flow_the_mock_can_play(client: TestClient) -> None:
    # Every (scenario, operation) of the catalogue, and every variant, on the seeded world.
    named = world_cases(client)
    playable = {(s, o, r.variant) for s, o in flows.pairs() for r in flows.recipes(s, o, named)}
    assert {(s, o) for s, o, _ in playable} == {(c.scenario, op) for c in catalogue.CATALOGUE
                                                  for op in c.operations}
    assert playable == set(REAL_FLOWS)


def test_the_host_of_another_event_is_not_this_events_host(client: TestClient, cases) -> None:
    response = call(client, "getSessionAnalytics", token=TOKENS["host"], eventurl=OTHER_EVENT_URL,
                    session=cases["open_session"])
    assert (response.status_code, response.json()["errorCode"]) == (403, "4030201")


def test_a_bearer_prefix_does_not_make_an_unknown_token_valid(client: TestClient) -> None:
    response = call(client, "listSessions", token="Bearer unknown-token")
    assert (response.status_code, response.json()["errorCode"]) == (401, "4010101")


FORCEABLE = [(case.scenario, op) for case in catalogue.CATALOGUE for op in case.operations]


@pytest.mark.parametrize("scenario,operation", FORCEABLE, ids=lambda v: str(v))
def test_documented_error_can_be_forced_by_scenario_header(client, cases, scenario,
                                                           operation) -> None:
    case = catalogue.lookup(scenario, operation)
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
