"""The fast path (api/fastpath.py) answers plainly valid requests exactly as Connexion's path
does (for a write: the same bytes, the same store change, the same journal entry), and hands
everything else to Connexion."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import pytest
from starlette.testclient import TestClient

from accelevents_mock.api.fastpath import FastPath
from accelevents_mock.api.handlers import Operations
from accelevents_mock.contract.cases import TOKENS, Role
from accelevents_mock.contract.spec import operations as spec_operations
from accelevents_mock.steering import forcing
from accelevents_mock.steering.scope import STEERING_HEADERS
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
    (f"{EVENT}/session/v2/11001", {**ATTENDEE, "X-Mock-Latency": "1"}),
    (f"{EVENT}/session/v2/11001", {**ATTENDEE, "X-Mock-Latency": "bogus"}),
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


def exchange(client: TestClient, path: str, headers: dict[str, str], method: str = "GET",
             body: bytes | None = None) -> tuple:
    response = client.request(method, path, headers=headers, content=body,
                              follow_redirects=False)
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
    """The fast path remembers what it made of a request: a refused one is refused again, and
    an answer's list is its own."""
    for _ in range(2):
        assert fast.get(f"{EVENT}/session?page=-1", headers=ATTENDEE).status_code == 400
    assert fast_answers == []
    first = fast.get(f"{EVENT}/session?trackIds=1,2", headers=ATTENDEE)
    assert fast.get(f"{EVENT}/session?trackIds=1,2", headers=ATTENDEE).content == first.content
    assert fast_answers == ["listSessions"] * 2


def test_a_remembered_route_gives_each_call_arguments_of_its_own(
        fast, monkeypatch: pytest.MonkeyPatch) -> None:
    """The routing of a method, path and query is remembered; the handler's arguments (a dict
    and lists) are still its own on every call, as from Connexion."""
    seen: list[dict] = []
    original = Operations.answer

    async def meddling(self: Operations, operation_id: str, params: dict, notes: dict):  # type: ignore[no-untyped-def]
        answer = await original(self, operation_id, params, notes)
        seen.append({**params, "track_ids": list(params["track_ids"])})
        params["track_ids"].append(99)
        params["size"] = 1
        return answer

    monkeypatch.setattr(Operations, "answer", meddling)
    for _ in range(2):
        assert fast.get(f"{EVENT}/session?trackIds=1,2", headers=ATTENDEE).status_code == 200
    assert seen == [{"eventurl": "mock-event", "page": 0, "size": 10, "track_ids": [1, 2]}] * 2


def test_remembered_routes_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("accelevents_mock.api.fastpath.KEPT_TARGETS", 3)
    client = make_client(response_cache=False)
    fast_path = FastPath(client.app, Operations(client.app.state))
    for page in range(10):
        scope = {"type": "http", "method": "GET", "path": f"{EVENT}/session",
                 "query_string": f"page={page}".encode(), "headers": []}
        assert fast_path.route(scope) is not None
        assert len(fast_path.routed) <= 3


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


class Reading(Mapping[str, str]):
    """An empty mapping that remembers every name read from it."""

    def __init__(self) -> None:
        self.read: set[str] = set()

    def __getitem__(self, name: str) -> str:
        self.read.add(name)
        raise KeyError(name)

    def __contains__(self, name: object) -> bool:
        self.read.add(str(name))
        return False

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


def test_the_quick_look_covers_all_steering(fast) -> None:
    """Whatever `Operations.steering` reads of a call, the fast path's quick look hands the
    call to Connexion: a header among its steering headers, the scenario cookie, or a query
    name no fast route takes (so `Route.arguments` refuses it)."""
    operations = Operations(fast.app.state)
    routes = FastPath(fast.app, operations).routes
    route_query = {name for by_method in routes.values() for r in by_method for name in r.query}
    for operation_id in spec_operations():
        headers, cookies, query = Reading(), Reading(), Reading()
        operations.steering(operation_id, headers, cookies, query, None)
        assert headers.read and {n.encode() for n in headers.read} <= STEERING_HEADERS
        assert cookies.read <= {forcing.SCENARIO_COOKIE}
        assert query.read and not query.read & route_query


@pytest.mark.parametrize("control", [("/__mock/faults", {"latencyMs": "1-2"}),
                                     ("/__mock/scenario", {"scenario": "session-not-found"})])
def test_latency_or_a_scenario_set_on_the_server_goes_to_connexion(fast, fast_answers,
                                                                   control) -> None:
    path, (where, setting) = f"{EVENT}/session/v2/11001", control
    try:
        assert fast.put(where, json=setting).status_code == 200
        fast.get(path, headers=ATTENDEE)
        assert fast_answers == []
    finally:
        fast.put("/__mock/faults", json={"latencyMs": "0", "faults": {}})
        fast.put("/__mock/scenario", json={"scenario": None})
    fast.get(path, headers=ATTENDEE)
    assert fast_answers == ["getSession"]


# -- writes -----------------------------------------------------------------------------------
OPEN, FULL, RESTRICTED, ENDED, UPCOMING = 11001, 11002, 11003, 11004, 11005
WORKSHOP, NETWORKING = 11007, 11008  # the world's cases (GET /__mock/world), seed 42
NETWORKER = {"Authorization": TOKENS[Role.NETWORKER]}


def register(session: int, query: str = "") -> str:
    return f"{EVENT}/session/{session}/register{query}"


WRITES_ANSWERED_FAST = [  # (method, path, headers), in this order from a fresh world
    ("POST", register(OPEN), ATTENDEE),
    ("POST", register(OPEN), ORIGIN),  # registering twice: idempotent
    ("DELETE", register(OPEN), ATTENDEE),
    ("DELETE", register(OPEN), ATTENDEE),  # not registered: a no-op
    ("POST", register(UPCOMING), ATTENDEE),  # the handler's 407: not live yet
    ("POST", register(UPCOMING, "?joinSession=true"), ATTENDEE),
    ("POST", register(ENDED, "?pastJoinSession=true&joinSession=false"), ATTENDEE),
    ("POST", register(FULL), ATTENDEE),  # 406: capacity
    ("POST", register(RESTRICTED), {"Authorization": TOKENS[Role.EXCLUDED_ATTENDEE]}),
    ("POST", register(OPEN, "?eventTicketId=999"), ATTENDEE),
    ("POST", register(999999), ATTENDEE),
    ("POST", register(OPEN), {}),  # 401
    ("POST", "/rest/events/nope/session/11001/register", ATTENDEE),
    ("PUT", f"{EVENT}/session/{WORKSHOP}", ATTENDEE),  # 403: not registered
    ("POST", register(WORKSHOP), ATTENDEE),
    ("PUT", f"{EVENT}/session/{WORKSHOP}", ATTENDEE),  # joins: attended, IN_MEETING
    ("DELETE", register(WORKSHOP), ATTENDEE),  # refused: already joined
    ("POST", register(NETWORKING), ATTENDEE),
    ("POST", register(NETWORKING), NETWORKER),
    ("PUT", f"{EVENT}/session/{NETWORKING}/status?status=CHECK_IN_AVAILABLE", ATTENDEE),
    ("PUT", f"{EVENT}/session/{NETWORKING}/status?status=CHECK_IN_AVAILABLE", NETWORKER),  # a match
    ("PUT", f"{EVENT}/session/{NETWORKING}/status?status=LEFT", ATTENDEE),
]

WRITES_FOR_CONNEXION = [  # (method, path, headers, body): each one Connexion must judge
    ("POST", register(OPEN, "?joinSession=yes"), ATTENDEE, None),
    ("POST", register(OPEN, "?joinSession=TRUE"), ATTENDEE, None),
    ("POST", register(OPEN, "?eventTicketId=0"), ATTENDEE, None),
    ("POST", register(OPEN, "?joinSession=true&joinSession=true"), ATTENDEE, None),
    ("DELETE", register(OPEN, "?joinSession=true"), ATTENDEE, None),  # not DELETE's
    ("PUT", f"{EVENT}/session/{NETWORKING}/status", ATTENDEE, None),  # status is required
    ("PUT", f"{EVENT}/session/{NETWORKING}/status?status=BOGUS", ATTENDEE, None),
    ("POST", register(OPEN), {**ATTENDEE, "Content-Type": "application/json"}, b"{}"),
    ("POST", register(OPEN), ATTENDEE, b"x"),
    ("POST", register(OPEN, "?__scenario=capacity-reached"), ATTENDEE, None),
    ("POST", register(OPEN), {**ATTENDEE, "Prefer": "code=406"}, None),
    ("POST", register(OPEN) + "/", ATTENDEE, None),
    ("PATCH", register(OPEN), ATTENDEE, None),
    ("POST", f"{EVENT}/session/v2/{OPEN}", ATTENDEE, None),
]


def fresh(*clients: TestClient) -> None:
    for client in clients:
        assert client.post("/__mock/reset", json={}).status_code == 200


def store(client: TestClient) -> dict:
    return client.get("/__mock/state").json()["store"]


def test_the_fast_path_writes_as_connexion_does(fast, connexion_only, fast_answers) -> None:
    """Step by step from one world: the same answer, journal entry and store afterwards."""
    fresh(fast, connexion_only)
    for method, path, headers in WRITES_ANSWERED_FAST:
        expected = exchange(connexion_only, path, headers, method)
        assert fast_answers == []
        assert exchange(fast, path, headers, method) == expected, (method, path)
        assert store(fast) == store(connexion_only), (method, path)
        assert len(fast_answers) == 1, (method, path)
        fast_answers.clear()
    assert store(fast)["matches"]  # the networking steps made a match on both


@pytest.mark.parametrize(("method", "path", "headers", "body"), WRITES_FOR_CONNEXION)
def test_a_write_not_plainly_valid_goes_to_connexion(fast, connexion_only, fast_answers,
                                                     method, path, headers, body) -> None:
    fresh(fast, connexion_only)
    assert exchange(fast, path, headers, method, body) == \
        exchange(connexion_only, path, headers, method, body)
    assert store(fast) == store(connexion_only)
    assert fast_answers == []


def test_a_write_that_fails_halfway_is_not_run_again(fast, connexion_only, fast_answers,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Connexion's error handlers answer the handler's exception; the write it made before
    failing stays, made once, as behind Connexion."""
    service_class = type(fast.app.state.service)
    original, calls = service_class.register, []

    def failing_after_writing(self: object, *args: object, **kwargs: object) -> None:
        calls.append(args)
        original(self, *args, **kwargs)
        raise RuntimeError("boom")

    monkeypatch.setattr(service_class, "register", failing_after_writing)
    fresh(fast, connexion_only)
    answered = exchange(fast, register(OPEN), ATTENDEE, "POST")
    assert answered == exchange(connexion_only, register(OPEN), ATTENDEE, "POST")
    assert answered[0] == 500 and b"boom" in answered[2]
    assert store(fast) == store(connexion_only) and store(fast)["registrations"]
    assert fast_answers == ["registerForSession"] and len(calls) == 2  # once by each app
