"""The fast path (api/fastpath.py) answers plainly valid GETs exactly as Connexion's path does,
and hands everything else to Connexion."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from mockserver.api.fastpath import FastPath
from mockserver.api.handlers import Operations
from mockserver.contract.cases import TOKENS, Role
from tests.conftest import make_client

ATTENDEE = {"Authorization": TOKENS[Role.ATTENDEE]}
ORIGIN = {**ATTENDEE, "Origin": "http://localhost:5173"}
EVENT = "/rest/events/mock-event"
HOST = "/rest/host/event/mock-event"

ANSWERED_FAST = [  # (path, headers): each one the fast path answers
    (f"{EVENT}/session?page=0&size=10&expand=speaker,stats", ATTENDEE),
    (f"{EVENT}/session", ATTENDEE),
    (f"{EVENT}/session?size=50&past=false&sessionFormat=MAIN_STAGE&status=VISIBLE", ATTENDEE),
    (f"{EVENT}/session?trackIds=1,2&tagIds=3&searchString=a&page=1", ATTENDEE),
    (f"{EVENT}/session?currentUserRegisteredEventTicketId=1&expand=track", ORIGIN),
    (f"{EVENT}/session/v2?calledFrom=portal&showPastAndUpcoming=true&filterDate=2026/03/10",
     ATTENDEE),
    (f"{EVENT}/session/v2/11001", ATTENDEE),
    (f"{EVENT}/session/v2/11001?expand=speaker,stats,track", ORIGIN),
    (f"{EVENT}/session/v2/11001", {"Authorization": f"Bearer {TOKENS[Role.ATTENDEE]}"}),
    (f"{EVENT}/session/v2/99999999", ATTENDEE),  # the handler's documented 404
    (f"{EVENT}/session/v2/11001", {}),  # the handler's documented 401
    ("/rest/events/no-such-event/session", ATTENDEE),
    (f"{EVENT}/user-session/registered?page=0&size=5", ATTENDEE),
    (f"{EVENT}/session/11001/matches", ATTENDEE),
    (f"{HOST}/session/11001?expand=stats", ATTENDEE),
    (f"{HOST}/session/11001/analytics", {"Authorization": TOKENS[Role.HOST]}),
]

FOR_CONNEXION = [  # (path, headers): each one Connexion must judge
    (f"{EVENT}/session?page=-1", ATTENDEE),
    (f"{EVENT}/session?size=0", ATTENDEE),
    (f"{EVENT}/session?size=1001", ATTENDEE),
    (f"{EVENT}/session?page=01", ATTENDEE),
    (f"{EVENT}/session?sessionFormat=BOGUS", ATTENDEE),
    (f"{EVENT}/session?trackIds=1,,2", ATTENDEE),
    (f"{EVENT}/session?trackIds=", ATTENDEE),
    (f"{EVENT}/session?trackIds=1&trackIds=2", ATTENDEE),
    (f"{EVENT}/session?past=yes", ATTENDEE),
    (f"{EVENT}/session?searchString=two%20words", ATTENDEE),
    (f"{EVENT}/session?unknown=1", ATTENDEE),
    (f"{EVENT}/session?__scenario=capacity-reached", ATTENDEE),
    (f"{EVENT}/session/v2?filterDate=2026-03-10", ATTENDEE),
    (f"{EVENT}/session/v2/abc", ATTENDEE),
    (f"{EVENT}/session/v2/0", ATTENDEE),
    (f"{EVENT}/session/v2/11001/", ATTENDEE),
    ("/rest/events/bad%20event/session", ATTENDEE),
    (f"{EVENT}/session/v2/11001", {**ATTENDEE, "Prefer": "code=404"}),
    (f"{EVENT}/session/v2/11001", {**ATTENDEE, "X-Mock-Fault": "500"}),
    (f"{EVENT}/session/v2/11001", {**ATTENDEE, "X-Mock-Scenario": "bogus"}),
    (f"{EVENT}/session/v2/11001", {**ATTENDEE, "Cookie": "mock_scenario=not-found"}),
    (f"{EVENT}/session/v2/11001", {**ATTENDEE, "Content-Type": "application/json"}),
    (f"{EVENT}/no-such-path", ATTENDEE),
]


@pytest.fixture(scope="module")
def fast() -> TestClient:
    return make_client(response_cache=False)


@pytest.fixture(scope="module")
def connexion_only() -> TestClient:
    return make_client(response_cache=False, fast_path=False)


@pytest.fixture
def fast_answers(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Operations the fast path answered (it alone calls Operations.answer)."""
    answered: list[str] = []
    original = Operations.answer

    async def counting(self: Operations, operation_id: str, params: dict, notes: dict):  # type: ignore[no-untyped-def]
        answered.append(operation_id)
        return await original(self, operation_id, params, notes)

    monkeypatch.setattr(Operations, "answer", counting)
    return answered


def exchange(client: TestClient, path: str, headers: dict[str, str]) -> tuple:
    response = client.get(path, headers=headers, follow_redirects=False)
    journaled = client.get("/__mock/journal").json()["entries"][-1]
    return (response.status_code, response.headers.raw, response.content,
            {key: journaled[key] for key in ("method", "path", "operation", "status", "forced")})


@pytest.mark.parametrize(("path", "headers"), ANSWERED_FAST)
def test_the_fast_path_answers_as_connexion_does(fast, connexion_only, fast_answers,
                                                 path, headers) -> None:
    expected = exchange(connexion_only, path, headers)
    assert fast_answers == []  # the app without a fast path never takes it
    assert exchange(fast, path, headers) == expected  # status, headers, body, journal entry
    assert len(fast_answers) == 1


@pytest.mark.parametrize(("path", "headers"), FOR_CONNEXION)
def test_anything_not_plainly_valid_goes_to_connexion(fast, connexion_only, fast_answers,
                                                      path, headers) -> None:
    assert exchange(fast, path, headers) == exchange(connexion_only, path, headers)
    assert fast_answers == []


def test_steering_set_on_the_server_goes_to_connexion(fast, fast_answers) -> None:
    path = f"{EVENT}/session/v2/11001"
    try:
        assert fast.put("/__mock/faults", json={"faults": {"getSession": "500"}}).status_code == 200
        assert fast.get(path, headers=ATTENDEE).status_code == 500
        assert fast_answers == []
    finally:
        fast.put("/__mock/faults", json={"latencyMs": "0", "faults": {}})
    assert fast.get(path, headers=ATTENDEE).status_code == 200
    assert fast_answers == ["getSession"]


def test_a_remembered_verdict_stands(fast, fast_answers) -> None:
    """Each parameter remembers its verdict on a text: a refused text is refused again, and an
    answer's list is its own."""
    for _ in range(2):
        assert fast.get(f"{EVENT}/session?page=-1", headers=ATTENDEE).status_code == 400
    assert fast_answers == []
    first = fast.get(f"{EVENT}/session?trackIds=1,2", headers=ATTENDEE)
    assert fast.get(f"{EVENT}/session?trackIds=1,2", headers=ATTENDEE).content == first.content
    assert fast_answers == ["listSessions"] * 2


def test_a_handler_that_fails_is_answered_by_connexion(fast, connexion_only, fast_answers,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    service_class = type(fast.app.state.service)

    def failing(*_: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(service_class, "get_session", failing)
    path = f"{EVENT}/session/v2/11001"
    answered = exchange(fast, path, ATTENDEE)
    assert answered == exchange(connexion_only, path, ATTENDEE) and answered[0] == 500
    assert fast_answers == ["getSession"]  # tried, then handed over


@pytest.mark.parametrize("steering", [{"Prefer": "code=404"}, {"X-Mock-Fault": "500"},
                                      {"X-Mock-Latency": "bogus"}])
def test_steering_the_quick_look_missed_still_goes_to_connexion(
        fast, connexion_only, fast_answers, monkeypatch: pytest.MonkeyPatch, steering) -> None:
    """Behind the quick look, the endpoint's own reads of forcing, faults and latency decide."""
    monkeypatch.setattr(FastPath, "steered", lambda *_: False)
    path, headers = f"{EVENT}/session/v2/11001", {**ATTENDEE, **steering}
    assert exchange(fast, path, headers) == exchange(connexion_only, path, headers)
    assert fast_answers == []
