"""Mistakes against the control API and outside the base path: unknown fields and values answer
400 naming what is accepted and change nothing; every error (405s, the panel's too) has the
documented JSON body; POST /__mock/reset goes back to the start-up world and controls; a call
without /rest answers 404 pointing to /rest."""

from __future__ import annotations

from datetime import timedelta

import pytest
import yaml
from starlette.testclient import TestClient

from accelevents_mock.contract import catalogue
from accelevents_mock.contract.cases import TOKENS
from accelevents_mock.contract.catalogue import Transport
from accelevents_mock.contract.spec import BASE_PATH
from accelevents_mock.control.parsing import CONTROL_SPEC
from accelevents_mock.control.routes import control_routes
from tests.conftest import FIXED_NOW, make_client

ATTENDEE = {"Authorization": TOKENS["attendee"]}
SPEC = yaml.safe_load(CONTROL_SPEC.read_text(encoding="utf-8"))
WITH_BODIES = [(path, method.upper()) for path, item in SPEC["paths"].items()
               for method, operation in item.items() if "requestBody" in operation
               # a body in another tool's format (Pact's) says it takes fields it does not list
               and not operation["requestBody"]["content"]["application/json"]["schema"]
               .get("additionalProperties")]
# What each steered endpoint shows, to tell that a refused change changed nothing.
VIEWS = ("/__mock/clock", "/__mock/faults", "/__mock/scenario", "/__mock/proxy", "/__mock/world")


def documented(response, status: int) -> str:
    """The developer message of a documented error body with `status`."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["errorCode"] == str(status) and body["errorMessage"], body
    return body["developerMessage"]


def views(client: TestClient) -> list[object]:
    return [client.get(path).json() for path in VIEWS]


def test_every_body_the_spec_describes_is_checked_against_it() -> None:
    assert {path for path, _ in WITH_BODIES} >= {"/__mock/clock", "/__mock/faults",
                                                 "/__mock/scenario", "/__mock/proxy",
                                                 "/__mock/reset", "/__mock/state"}


@pytest.mark.parametrize(("path", "method"), WITH_BODIES)
def test_an_unknown_field_answers_400_naming_the_accepted_ones(client, path: str,
                                                               method: str) -> None:
    before = views(client)
    message = documented(client.request(method, path, json={"nwo": "2026-01-01T00:00:00Z"}), 400)
    operation = SPEC["paths"][path][method.lower()]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    if "$ref" in schema:
        schema = SPEC["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    assert "'nwo'" in message
    assert all(field in message for field in schema["properties"]), message
    assert views(client) == before


@pytest.mark.parametrize(("path", "body", "accepted"), [
    ("/__mock/clock", {"now": "tomorrow"}, "ISO 8601"),
    ("/__mock/clock", {"now": 5}, "ISO 8601"),
    ("/__mock/clock", {"frozen": "yes"}, "true or false"),
    ("/__mock/clock", {"advanceMinutes": "ten"}, "number of minutes"),
    ("/__mock/faults", {"faults": {"getSesion": "500"}}, "getSession"),
    ("/__mock/faults", {"faults": {"getSession": "teapot"}}, "slow-body"),
    ("/__mock/faults", {"faults": ["getSession"]}, "operationId"),
    ("/__mock/faults", {"latencyMs": "fast"}, "LO-HI"),
    ("/__mock/scenario", {"scenario": "capacity-reachd"}, "capacity-reached"),
    ("/__mock/scenario", {"scenario": "capacity-reached", "calls": 0}, "at least 1"),
    ("/__mock/scenario", {"scenario": "capacity-reached", "calls": "2"}, "at least 1"),
    ("/__mock/proxy", {"target": "https://staging.example/"}, "/rest"),
    ("/__mock/proxy", {"target": "https://staging.example/rest", "timeoutS": 0}, "at most 600"),
    ("/__mock/proxy", {"fallback": "yes"}, "true or false"),
])
def test_an_unknown_value_answers_400_naming_what_is_accepted(client, path: str, body: dict,
                                                              accepted: str) -> None:
    before = views(client)
    assert accepted in documented(client.put(path, json=body), 400)
    assert views(client) == before


def test_reset_restores_the_start_up_world_and_controls() -> None:
    client = make_client(latency_ms=(0, 0), faults={"getSession": "500"})
    start = views(client)
    assert client.post("/__mock/reset", json={"seed": 7, "sessions": 12}).status_code == 200
    changes = [("/__mock/clock", {"now": (FIXED_NOW + timedelta(days=3)).isoformat(),
                                  "frozen": False}),
               ("/__mock/faults", {"latencyMs": "1", "faults": {"listSessions": "reset"}}),
               ("/__mock/scenario", {"scenario": "capacity-reached", "calls": 3})]
    for path, body in changes:
        assert client.put(path, json=body).status_code == 200
    assert client.post(f"{BASE_PATH}/events/mock-event/session/11001/register",
                       headers=ATTENDEE).status_code == 406  # the forced scenario
    assert views(client) != start
    assert client.post("/__mock/reset").json() == {"seed": 42, "sessions": 36, "attendees": 40}
    assert views(client) == start  # the clock frozen at start again, faults and scenario too


def test_every_control_route_answers_a_method_it_does_not_take_in_json(client) -> None:
    for route in control_routes(client.app.state):
        method = next(m for m in ("DELETE", "PATCH", "POST", "PUT") if m not in route.methods)
        message = documented(client.request(method, route.path), 405)
        assert route.path in message
        assert set(client.request(method, route.path).headers["allow"].split(", ")) == \
            route.methods


def test_the_panel_answers_a_missing_file_and_a_write_in_json(client) -> None:
    assert client.get("/__mock/ui/").status_code == 200
    assert "/__mock/ui/nothing.js" in documented(client.get("/__mock/ui/nothing.js"), 404)
    documented(client.post("/__mock/ui/"), 405)


@pytest.mark.parametrize("method,path", [
    ("GET", "/events/mock-event/session"),
    ("POST", "/events/mock-event/session/11001/register"),
])
def test_an_api_call_without_the_base_path_answers_404_pointing_to_it(client, method: str,
                                                                      path: str) -> None:
    message = documented(client.request(method, path, headers=ATTENDEE), 404)
    assert f"{BASE_PATH}{path}" in message
    assert client.get(f"{BASE_PATH}/events/mock-event/session", headers=ATTENDEE).status_code == 200


def test_an_unknown_path_answers_404_naming_where_the_api_is(client) -> None:
    message = documented(client.get("/nothing/here"), 404)
    assert BASE_PATH in message
    case = catalogue.transport(Transport.NOT_FOUND)
    assert client.get("/nothing/here").json()["errorMessage"] == case.message


def test_a_mistyped_path_parameter_under_the_base_path_is_still_a_400(client) -> None:
    documented(client.get(f"{BASE_PATH}/events/mock-event/session/v2/abc", headers=ATTENDEE), 400)
