"""The server starts, serves the spec and Swagger UI, answers every operation within the
contract, and turns malformed requests into the documented 400 body."""

from __future__ import annotations

import asyncio
import inspect
import itertools
import json
import time
from pathlib import Path

import httpx
import pytest

from accelevents_mock.api.connexion_compat import python_name
from accelevents_mock.api.handlers import Operations
from accelevents_mock.contract import catalogue
from accelevents_mock.contract.cases import TOKENS
from accelevents_mock.contract.spec import operations
from accelevents_mock.steering import faults
from tests.api import call
from tests.live import running_mock

ROOT = Path(__file__).resolve().parents[1]
BAD_REQUEST_BODY_KEYS = {"errorCode": "400", "errorMessage": catalogue.BAD_REQUEST.message}


@pytest.mark.parametrize("operation_id", sorted(operations()))
def test_every_operation_has_a_handler(operation_id: str) -> None:
    name = python_name(operation_id)  # what Connexion's pythonic_params calls it
    handler = getattr(Operations, name, None)
    assert inspect.iscoroutinefunction(handler), f"add {name} to accelevents_mock/api/handlers.py"


def test_serves_spec_and_swagger_ui(client) -> None:
    spec = client.get("/openapi.yaml")
    assert spec.status_code == 200 and spec.text.startswith("openapi: 3.0.3")
    ui = client.get("/ui", follow_redirects=True)
    assert ui.status_code == 200 and "swagger" in ui.text.lower()


@pytest.mark.parametrize("operation", sorted(operations()))
def test_every_operation_answers_within_the_contract(client, cases, operation) -> None:
    session = cases["networking_session"] if "Networking" in operation else cases["workshop_session"]
    token = TOKENS["host"] if operation.startswith(("getHost", "getSessionAn")) else TOKENS["attendee"]
    params = {"status": "REGISTERED"} if operation == "setNetworkingAvailability" else None
    response = call(client, operation, session=session, token=token, params=params)
    assert response.status_code < 500


@pytest.mark.parametrize("operation,params", [
    ("listSessions", {"page": "-1"}),
    ("listSessions", {"size": "0"}),
    ("listSessions", {"size": "abc"}),
    ("listSessions", {"sessionFormat": "CONCERT"}),
    ("listSessions", {"trackIds": "1,x"}),
    ("getRegisteredSessions", {"filterDate": "yesterday"}),
    ("setNetworkingAvailability", {"status": "DANCING"}),
    ("setNetworkingAvailability", {}),
    ("registerForSession", {"joinSession": "maybe"}),
])
def test_malformed_request_gets_documented_400(client, cases, operation, params) -> None:
    response = call(client, operation, session=cases["open_session"], params=params)
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert {k: body[k] for k in BAD_REQUEST_BODY_KEYS} == BAD_REQUEST_BODY_KEYS
    assert body["developerMessage"]  # says which parameter was wrong


@pytest.mark.parametrize("path", ["/rest/events/mock-event/session/v2/abc",
                                  "/rest/events/mock%00event/session",
                                  "/rest/events/..%2F..%2Fetc/session"])
def test_malformed_path_gets_documented_error_not_500(client, path) -> None:
    response = client.get(path, headers={"Authorization": TOKENS["attendee"]})
    assert response.status_code in (400, 404)
    assert response.json()["errorCode"] in ("400", "404")


def test_unknown_path_and_method_use_the_error_body(client) -> None:
    assert client.get("/rest/nothing/here").json()["errorCode"] == "404"
    response = client.delete("/rest/events/mock-event/session", headers={"Authorization": "x"})
    assert response.status_code == 405 and response.json()["errorCode"] == "405"


def test_non_utf8_body_is_a_client_error(client) -> None:
    # The API's operations take no body (one sent is ignored: test_hostile_input.py); the
    # control API reads JSON, which must be UTF-8. Latin-1 "café" is refused, never guessed at.
    body = '{"seed": 7, "label": "café"}'.encode("latin-1")
    response = client.post("/__mock/reset", content=body,
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/json"
    answer = response.json()
    assert {k: answer[k] for k in BAD_REQUEST_BODY_KEYS} == BAD_REQUEST_BODY_KEYS
    assert "UTF-8" in answer["developerMessage"]
    assert client.get("/__mock/world?limit=1").json()["seed"] == 42  # nothing was reset


def test_oversized_body_gets_413(client, cases) -> None:
    response = client.post(f"/rest/events/mock-event/session/{cases['open_session']}/register",
                           content=b"x" * (1024 * 1024 + 1),
                           headers={"Authorization": TOKENS["attendee"]})
    assert response.status_code == 413 and response.json()["errorCode"] == "413"


def test_accelevents_mock_command_starts_a_real_server() -> None:
    with running_mock() as live:
        spec = httpx.get(f"{live.base_url}/openapi.yaml")
        sessions = httpx.get(f"{live.base_url}/rest/events/mock-event/session",
                             headers={"Authorization": TOKENS["attendee"]})
    assert spec.status_code == 200
    assert sessions.status_code == 200 and sessions.json()["recordsTotal"] > 0
    assert "Swagger UI" in live.output and "host-token" in live.output  # the banner


def test_reset_fault_drops_the_connection() -> None:
    with running_mock("--fault", "listSessions=reset") as live:
        with pytest.raises(httpx.RemoteProtocolError):
            httpx.get(f"{live.base_url}/rest/events/mock-event/session",
                      headers={"Authorization": TOKENS["attendee"]})
        still_up = httpx.get(f"{live.base_url}/rest/events/mock-event/user-session/registered",
                             headers={"Authorization": TOKENS["attendee"]})
    assert still_up.status_code == 200


async def _timed_messages(app, path: str, headers: dict[str, str]) -> list[tuple[float, dict]]:
    """Every ASGI message `app` sends for one GET, with the time it was sent."""
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
             "scheme": "http", "path": path, "raw_path": path.encode(), "root_path": "",
             "query_string": b"", "server": ("testserver", 80), "client": ("127.0.0.1", 1),
             "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()]}
    sent: list[tuple[float, dict]] = []
    requested, answered = False, asyncio.Event()

    async def receive() -> dict:  # the request once, then a client that waits to the end
        nonlocal requested
        if not requested:
            requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await answered.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append((time.monotonic(), message))
        if message["type"] == "http.response.body" and not message.get("more_body"):
            answered.set()

    await asyncio.wait_for(app(scope, receive, send), timeout=30)
    return sent


def test_slow_body_fault_sends_valid_json_in_spaced_chunks(client, monkeypatch) -> None:
    monkeypatch.setattr(faults, "SLOW_BODY_CHUNK_DELAY_S", 0.2)  # the fault's one parameter
    sent = asyncio.run(_timed_messages(client.app, "/rest/events/mock-event/session",
                                       {"Authorization": TOKENS["attendee"],
                                        "X-Mock-Fault": "slow-body"}))
    (started_at, start), *body = sent
    assert start["type"] == "http.response.start" and start["status"] == 200
    chunks = [(at, m["body"]) for at, m in body if m.get("body")]
    assert len(chunks) >= 3 and all(m["type"] == "http.response.body" for _, m in body)
    assert body[-1][1].get("more_body", False) is False
    whole = b"".join(chunk for _, chunk in chunks)
    assert json.loads(whole) == {"recordsTotal": 0, "recordsFiltered": 0, "data": [],
                                 "error": None}
    times = [started_at] + [at for at, _ in chunks]
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert min(gaps) >= 0.2 * 0.9  # asyncio.sleep never wakes early; only late, under load


@pytest.mark.parametrize("path,allowed", [
    ("/rest/events/mock-event/session", "GET"),
    ("/rest/events/mock-event/session/11001/register", "DELETE, POST"),
    ("/rest/events/mock-event/session/v2", "GET"),  # not /session/{id}'s PUT
])
def test_405_names_every_documented_method(client, path, allowed) -> None:
    response = client.request("TRACE", path, headers={"Authorization": TOKENS["attendee"]})
    assert response.status_code == 405 and response.headers["allow"] == allowed


def test_empty_id_list_is_an_empty_filter(client) -> None:
    everything = call(client, "listSessions", params={"size": 1000}).json()
    unfiltered = call(client, "listSessions", params={"size": 1000, "trackIds": "", "tagIds": ""})
    assert unfiltered.status_code == 200 and unfiltered.json() == everything


def test_int64_overflow_in_query_is_a_400(client) -> None:
    response = call(client, "listSessions",
                    params={"currentUserRegisteredEventTicketId": str(2**63)})
    assert response.status_code == 400


@pytest.mark.parametrize("name,ids", [("trackIds", ("701", "702")), ("tagIds", ("801", "802", "803"))])
def test_repeated_and_comma_separated_id_lists_filter_alike(client, name, ids) -> None:
    """Generated clients repeat the parameter (`trackIds=701&trackIds=702`); the spec writes
    it comma-separated. The real (Spring) API takes both, and either mixed, as one list."""
    def total(params: list[tuple[str, str]]) -> int:
        response = call(client, "listSessions", params=[("size", "1000"), *params])
        assert response.status_code == 200
        return response.json()["recordsFiltered"]

    comma = total([(name, ",".join(ids))])
    assert comma > max(total([(name, i)]) for i in ids)  # the union, not one id's share
    assert total([(name, i) for i in ids]) == comma
    assert total([(name, ",".join(ids[:-1])), (name, ids[-1])]) == comma


@pytest.mark.parametrize("query", ["trackIds=abc", "trackIds=701&trackIds=abc",
                                   "trackIds=701,&trackIds=702", "tagIds=801&tagIds="])
def test_unreadable_id_list_gets_documented_400(client, query) -> None:
    response = client.get(f"/rest/events/mock-event/session?{query}",
                          headers={"Authorization": TOKENS["attendee"]})
    assert response.status_code == 400
    body = response.json()
    assert {k: body[k] for k in BAD_REQUEST_BODY_KEYS} == BAD_REQUEST_BODY_KEYS
    assert body["developerMessage"]
