"""The /__mock/ control API: world summary, reset, clock, snapshots, journal, scenarios, faults,
latency and CORS."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from accelevents_mock.contract import catalogue
from accelevents_mock.contract.cases import TOKENS
from tests.api import call


def test_world_summary_names_the_cases_and_tokens(client) -> None:
    world = client.get("/__mock/world").json()
    by_id = {s["sessionId"]: s for s in world["sessions"]}
    cases = world["cases"]
    full = by_id[cases["full_session"]]
    assert full["registrations"] == full["capacity"] > 0
    assert by_id[cases["ended_session"]]["phase"] == "ended"
    assert by_id[cases["workshop_session"]]["format"] == "WORKSHOP"
    assert by_id[cases["networking_session"]]["format"] == "MEET_UP"
    roles = {u["case"]: u["role"] for u in world["users"] if u["case"]}
    assert roles["host"] == "host" and roles["attendee"] == "attendee"
    assert cases["tokens"]["unknown"] == "unknown-token"


def test_reset_forgets_changes_and_can_reseed(client, cases) -> None:
    call(client, "registerForSession", session=cases["open_session"])
    assert client.post("/__mock/reset").json()["seed"] == 42
    assert call(client, "getRegisteredSessions").json()["recordsTotal"] == 0
    titles_42 = [s["title"] for s in client.get("/__mock/world").json()["sessions"]]
    assert client.post("/__mock/reset", json={"seed": 7, "sessions": 12}).json() == {
        "seed": 7, "sessions": 12, "attendees": 40}
    world_7 = client.get("/__mock/world").json()
    assert [s["title"] for s in world_7["sessions"]] != titles_42


def test_snapshot_round_trip(client, cases) -> None:
    call(client, "registerForSession", session=cases["open_session"])
    snapshot = client.get("/__mock/state").json()
    before = call(client, "getRegisteredSessions").json()
    client.post("/__mock/reset")
    assert call(client, "getRegisteredSessions").json()["recordsTotal"] == 0
    assert client.put("/__mock/state", json=snapshot).status_code == 200
    assert call(client, "getRegisteredSessions").json() == before
    assert client.get("/__mock/state").json() == snapshot


def test_clock_can_be_set_and_advanced(client) -> None:
    client.put("/__mock/clock", json={"now": "2026-03-11T08:00:00Z", "frozen": True})
    assert client.get("/__mock/clock").json()["now"].startswith("2026-03-11T08:00")
    client.put("/__mock/clock", json={"advanceMinutes": 90})
    assert client.get("/__mock/clock").json()["now"].startswith("2026-03-11T09:30")


def test_journal_records_operation_status_and_forcing(client, cases) -> None:
    since = max([e["id"] for e in client.get("/__mock/journal").json()["entries"]], default=0)
    before = datetime.now(UTC) - timedelta(milliseconds=1)  # `at` is kept to the microsecond
    call(client, "listSessions")
    call(client, "registerForSession", session=cases["full_session"])
    call(client, "listSessions", headers={"Prefer": "code=401"})
    entries = client.get(f"/__mock/journal?since={since}").json()["entries"]
    assert [(e["operation"], e["status"], e["forced"]) for e in entries] == [
        ("listSessions", 200, None), ("registerForSession", 406, None),
        ("listSessions", 401, "code=401 example=not-authorized")]
    assert all(before <= datetime.fromisoformat(e["at"]) <= datetime.now(UTC) for e in entries)
    assert all(isinstance(e["duration_ms"], float) and 0 < e["duration_ms"] < 10_000
               for e in entries)


def test_scenarios_list_every_catalogued_case(client) -> None:
    listed = client.get("/__mock/scenarios").json()["scenarios"]
    assert {(s["scenario"], s["errorCode"]) for s in listed} == {
        (c.scenario, c.code) for c in catalogue.CATALOGUE}


@pytest.mark.parametrize("fault,check", [
    ("500", lambda r: r.status_code == 500),
    ("malformed-json", lambda r: r.status_code == 200 and r.text.startswith('{"recordsTotal": 1')),
])
def test_faults_per_operation(client, fault, check) -> None:
    client.put("/__mock/faults", json={"faults": {"listSessions": fault}})
    assert check(call(client, "listSessions", check=False))
    assert call(client, "getRegisteredSessions").status_code == 200  # other operations unaffected
    client.put("/__mock/faults", json={"faults": {}})
    assert call(client, "listSessions").status_code == 200


def test_latency_per_request_and_configured(client) -> None:
    started = time.perf_counter()
    call(client, "listSessions", headers={"X-Mock-Latency": "150"})
    assert time.perf_counter() - started >= 0.15
    client.put("/__mock/faults", json={"latencyMs": "100-120"})
    started = time.perf_counter()
    call(client, "listSessions")
    assert time.perf_counter() - started >= 0.1
    assert client.get("/__mock/faults").json()["latencyMs"] == "100-120"


@pytest.mark.parametrize("method,path,body", [
    ("PUT", "/__mock/clock", b"{not json"),
    ("PUT", "/__mock/clock", b'{"now": "tomorrow-ish"}'),
    ("PUT", "/__mock/state", b'{"seed": 1}'),
    ("PUT", "/__mock/faults", b'{"faults": {"listSessions": "explode"}}'),
    ("POST", "/__mock/reset", b'{"sessions": -3}'),
    ("POST", "/__mock/reset", b"\xff\xfe"),
    ("POST", "/__mock/reset", b'{"seed": 1e999}'),
    ("POST", "/__mock/reset", b'{"seed": NaN}'),
    ("POST", "/__mock/reset", b'{"sessions": 2.5}'),
    ("POST", "/__mock/reset", b'{"attendees": true}'),
    ("POST", "/__mock/reset", b"[" * 100_000),
    ("PUT", "/__mock/clock", b'{"advanceMinutes": 1e308}'),
    ("PUT", "/__mock/state", b'{"seed": 1, "sessions": 1000000000, "anchor": "2026-03-10T12:00"}'),
])
def test_bad_control_input_is_a_documented_400(client, method, path, body) -> None:
    response = client.request(method, path, content=body,
                              headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["errorCode"] == "400" and response.json()["developerMessage"]
    assert client.get("/__mock/world?limit=1").status_code == 200


@pytest.mark.parametrize("content_type", ["application/xml", "text/plain",
                                          "application/x-www-form-urlencoded"])
def test_control_bodies_in_another_media_type_get_415(client, content_type) -> None:
    response = client.put("/__mock/clock", content=b'{"frozen": false}',
                          headers={"Content-Type": content_type})
    assert response.status_code == 415 and response.json()["errorCode"] == "415"
    assert client.get("/__mock/clock").json()["frozen"] is True  # nothing changed
    sent_as_json = client.put("/__mock/clock", content=b'{"frozen": true}',
                              headers={"Content-Type": "application/json; charset=utf-8"})
    assert sent_as_json.status_code == 200


def test_cors_for_local_origins(client) -> None:
    preflight = client.options("/rest/events/mock-event/session", headers={
        "Origin": "http://localhost:3000", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "Authorization, Key, Prefer, X-Mock-Scenario"})
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "http://localhost:3000"
    allowed = preflight.headers["access-control-allow-headers"].lower()
    assert {"authorization", "key", "prefer", "x-mock-scenario"} <= set(allowed.replace(" ", "").split(","))
    foreign = client.get("/rest/events/mock-event/session", headers={
        "Origin": "https://evil.example", "Authorization": TOKENS["attendee"]})
    assert "access-control-allow-origin" not in foreign.headers


def test_control_spec_is_valid_and_matches_the_routes(client) -> None:
    import yaml
    from openapi_spec_validator import validate

    from accelevents_mock.control.routes import control_routes

    spec = yaml.safe_load(client.get("/__mock/openapi.yaml").text)
    validate(spec)
    routes = {(r.path, m) for r in control_routes(client.app.state) for m in r.methods - {"HEAD"}}
    documented = {(p, m.upper()) for p, item in spec["paths"].items() for m in item}
    assert routes - {("/__mock/openapi.yaml", "GET")} == documented


def test_standing_scenario_for_the_next_calls_it_applies_to(client, cases) -> None:
    forced = client.put("/__mock/scenario", json={"scenario": "capacity-reached", "calls": 1})
    assert forced.status_code == 200
    assert call(client, "listSessions").status_code == 200  # does not apply: not counted
    assert call(client, "registerForSession", session=cases["open_session"]).status_code == 406
    assert call(client, "registerForSession", session=cases["open_session"]).status_code == 200
    assert client.get("/__mock/scenario").json() == {"scenario": None, "calls": None}
    assert client.put("/__mock/scenario", json={"scenario": "nope"}).status_code == 400
