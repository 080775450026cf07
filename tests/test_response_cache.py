"""Repeated GETs are answered from memory, and never once anything they depend on changed."""

from __future__ import annotations

from datetime import timedelta

import pytest

from mockserver import forcing
from mockserver.contract.cases import TOKENS

LIST = "/rest/events/mock-event/session?size=50&expand=speaker,track"
REGISTERED = "/rest/events/mock-event/user-session/registered"


@pytest.fixture
def computed(client, monkeypatch) -> list[str]:
    """Eventurls of the list requests that reached the service (cache misses)."""
    service_class = type(client.app.state.service)
    seen: list[str] = []
    original = service_class.list_sessions

    def counting(self, eventurl, user, query, **options):
        seen.append(eventurl)
        return original(self, eventurl, user, query, **options)

    monkeypatch.setattr(service_class, "list_sessions", counting)
    return seen


def get(client, path: str, token: str = TOKENS["attendee"], **headers: str):
    return client.get(path, headers={"Authorization": token, **headers})


def test_a_repeated_get_is_answered_from_memory_and_journaled(client, computed) -> None:
    first, second = get(client, LIST), get(client, LIST)
    assert first.status_code == second.status_code == 200
    assert second.content == first.content and second.headers["content-type"] == "application/json"
    assert len(computed) == 1
    operations = [e["operation"] for e in client.get("/__mock/journal").json()["entries"]]
    assert operations[-2:] == ["listSessions", "listSessions"]


def test_each_caller_gets_their_own_answer(client, computed) -> None:
    get(client, LIST)
    host_view = get(client, LIST, TOKENS["host"])
    assert len(computed) == 2 and host_view.json()["recordsTotal"] > get(client, LIST).json()["recordsTotal"]
    assert get(client, LIST, f"Bearer {TOKENS['attendee']}").content == get(client, LIST).content


def test_a_write_makes_every_kept_answer_stale(client, cases) -> None:
    assert get(client, REGISTERED).json()["recordsTotal"] == 0
    client.post(f"/rest/events/mock-event/session/{cases['open_session']}/register",
                headers={"Authorization": TOKENS["attendee"]})
    assert get(client, REGISTERED).json()["recordsTotal"] == 1


def test_the_clock_moving_to_another_minute_makes_answers_stale(client, cases) -> None:
    ended = "/rest/events/mock-event/session?past=true&size=100"
    before = {s["sessionId"] for s in get(client, ended).json()["data"]}
    client.app.state.clock.advance(timedelta(hours=4))  # the live named sessions end
    after = {s["sessionId"] for s in get(client, ended).json()["data"]}
    assert cases["open_session"] not in before and cases["open_session"] in after


def test_a_reset_makes_answers_stale(client) -> None:
    titles = get(client, LIST).json()["data"][0]["title"]
    client.post("/__mock/reset", json={"seed": 7})
    assert get(client, LIST).json()["data"][0]["title"] != titles


@pytest.fixture
def handled(monkeypatch) -> list[str]:
    """Operations of the API requests that reached a handler, i.e. were not answered from
    memory. Every handler reads the request's steering first, steered or not."""
    seen: list[str] = []
    original = forcing.resolve

    def counting(operation_id, *args):
        seen.append(operation_id)
        return original(operation_id, *args)

    monkeypatch.setattr(forcing, "resolve", counting)
    return seen


@pytest.mark.parametrize("steering,status", [
    ({"Prefer": "code=404"}, 404), ({"X-Mock-Scenario": "event-not-found"}, 404),
    ({"X-Mock-Fault": "500"}, 500),
])
def test_steered_requests_are_never_answered_from_memory(client, handled, steering,
                                                         status) -> None:
    kept = get(client, LIST)
    assert get(client, LIST).content == kept.content and handled == ["listSessions"]
    steered = get(client, LIST, **steering)
    assert handled == ["listSessions"] * 2  # the steered one reached the handler
    assert steered.status_code == status
    # Steering changes nothing a kept answer depends on, so the kept answer still stands.
    after = get(client, LIST)
    assert after.status_code == 200 and after.content == kept.content
    assert handled == ["listSessions"] * 2


def test_standing_scenarios_and_faults_bypass_the_cache(client) -> None:
    assert get(client, LIST).status_code == 200
    client.put("/__mock/scenario", json={"scenario": "event-not-found"})
    assert get(client, LIST).status_code == 404
    client.put("/__mock/scenario", json={"scenario": None})
    client.put("/__mock/faults", json={"faults": {"listSessions": "500"}})
    assert get(client, LIST).status_code == 500


def test_an_answer_from_memory_has_the_same_headers_every_time(client) -> None:
    # Outer middleware (CORS adds `Vary: Origin`) must not edit the kept answer's headers.
    answers = [get(client, LIST, Origin="http://localhost:5173") for _ in range(4)]
    assert len({tuple(a.headers.multi_items()) for a in answers}) == 1
    assert answers[-1].headers["vary"] == answers[0].headers["vary"]


def test_without_the_response_cache_every_get_is_computed(monkeypatch) -> None:
    from mockserver.cli import config_from, parse_args
    from tests.conftest import make_client

    assert config_from(parse_args(["--no-response-cache"])).response_cache is False
    uncached = make_client(response_cache=False)
    service_class = type(uncached.app.state.service)
    calls: list[str] = []
    original = service_class.list_sessions
    monkeypatch.setattr(service_class, "list_sessions",
                        lambda self, *args, **options: calls.append("list")
                        or original(self, *args, **options))
    answers = [get(uncached, LIST) for _ in range(3)]
    assert len(calls) == 3 and len({a.content for a in answers}) == 1


def test_answers_are_not_kept_while_writes_are_frequent(client, computed, cases) -> None:
    from mockserver.response_cache import READS_WORTH_KEEPING

    register = f"/rest/events/mock-event/session/{cases['open_session']}/register"
    for method in ("POST", "DELETE", "POST", "DELETE"):  # a write after every read or two
        get(client, LIST)
        client.request(method, register, headers={"Authorization": TOKENS["attendee"]})
    computed.clear()
    get(client, LIST), get(client, LIST)
    assert len(computed) == 2  # nothing kept: the next write would throw it away anyway
    for _ in range(READS_WORTH_KEEPING):  # reads without a write: worth keeping again
        get(client, LIST)
    computed.clear()
    get(client, LIST), get(client, LIST)
    assert computed == []
