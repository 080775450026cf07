"""Hostile input gets a documented 4xx body, never a 500, and the server stays up."""

from __future__ import annotations

import httpx
import pytest

from accelevents_mock.contract.cases import TOKENS
from tests.live import running_mock

AUTH = {"Authorization": TOKENS["attendee"]}


@pytest.mark.parametrize("path", [
    "/rest/events/mock%00event/session",
    "/rest/events/mock%0d%0aevent/session",
    "/rest/events/..%2f..%2fetc%2fpasswd/session",
    "/rest/events/%ff%fe/session",
    "/rest/events/" + "a" * 300 + "/session",
    "/rest/events/mock-event/session/v2/99999999999999999999999",
    "/rest/events/mock-event/session/v2/-1",
])
def test_bad_paths_get_documented_4xx(client, path) -> None:
    response = client.get(path, headers=AUTH)
    assert 400 <= response.status_code < 500
    assert response.json()["errorCode"] in ("400", "404", "4040200", "404800")


@pytest.mark.parametrize("params", [
    {"page": "99999999999"}, {"size": "100000"}, {"page": "-5"}, {"size": "1e3"},
    {"past": "perhaps"}, {"trackIds": ",".join(["1"] * 500)}, {"expand": "x" * 10_000},
])
def test_bad_query_values_get_400(client, params) -> None:
    response = client.get("/rest/events/mock-event/session", params=params, headers=AUTH)
    assert response.status_code == 400 and response.json()["errorCode"] == "400"


@pytest.mark.parametrize("steering", [
    {"X-Mock-Latency": "99999999"}, {"X-Mock-Latency": "-5"}, {"X-Mock-Latency": "a-b"},
    {"X-Mock-Fault": "explode"}, {"X-Mock-Scenario": "\x7f"}, {"Prefer": "code=999"},
])
def test_bad_steering_headers_get_400(client, steering) -> None:
    response = client.get("/rest/events/mock-event/session", headers={**AUTH, **steering})
    assert response.status_code == 400 and response.json()["errorCode"] == "400"


def test_unknown_query_parameters_are_ignored(client) -> None:
    response = client.get("/rest/events/mock-event/session",
                          params={"utm_source": "x", "\u202e": "y"}, headers=AUTH)
    assert response.status_code == 200


@pytest.mark.parametrize("body,content_type", [
    (b"\xff\xfe\xfa", "application/json"), (b'{"a": ', "application/json"),
    (b"<xml/>", "application/xml"), (b"a=b", "application/x-www-form-urlencoded"),
])
def test_bodies_on_operations_without_one_do_not_break_them(client, cases, body,
                                                            content_type) -> None:
    response = client.post(f"/rest/events/mock-event/session/{cases['open_session']}/register",
                           content=body, headers={**AUTH, "Content-Type": content_type})
    assert response.status_code == 200  # the operation takes no body: it is ignored


def test_oversized_and_malformed_content_length(client, cases) -> None:
    path = f"/rest/events/mock-event/session/{cases['open_session']}/register"
    too_big = client.post(path, content=b"x" * (2 * 1024 * 1024), headers=AUTH)
    assert too_big.status_code == 413 and too_big.json()["errorCode"] == "413"


def test_huge_headers_and_query_over_real_http_leave_the_server_up() -> None:
    with running_mock("--log-level", "warning") as live:
        url = f"{live.base_url}/rest/events/mock-event/session"
        huge_header = httpx.get(url, headers={**AUTH, "X-Junk": "j" * 100_000})
        huge_query = httpx.get(url + "?searchString=" + "q" * 60_000, headers=AUTH)
        control = httpx.get(f"{live.base_url}/rest/events/mock%01event/session", headers=AUTH)
        still_up = httpx.get(url, headers=AUTH)
    assert huge_header.status_code == 431 and huge_header.json()["errorCode"] == "431"
    assert 400 <= huge_query.status_code < 500
    assert 400 <= control.status_code < 500
    assert still_up.status_code == 200
