"""One world across workers and instances on a real Redis (`--store redis://…`).

The mock runs as real processes here (`--workers 4`), so requests really land on different
workers at the same time.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import websockets

from accelevents_mock.contract import catalogue
from accelevents_mock.contract.cases import EVENT_URL, LIMITED_PASS_SESSIONS, SMALL_SESSION_CAPACITY, TOKENS
from accelevents_mock.store import RETRY_AFTER_S
from tests.live import LiveMock, running_mock
from tests.redis_server import redis_server, running_redis

CLOCK = "2026-03-10T12:00:00Z"
API = f"/rest/events/{EVENT_URL}"
CONCURRENT = 200


@pytest.fixture(scope="module")
def redis_port() -> Iterator[int]:
    with redis_server() as port:
        yield port


def shared_mock(redis_port: int, db: int, *args: str):
    return running_mock("--store", f"redis://127.0.0.1:{redis_port}/{db}", "--clock", CLOCK,
                        *args, timeout_s=30)


def auth(token: str) -> dict[str, str]:
    return {"Authorization": token}


def world(mock: LiveMock) -> dict:
    return httpx.get(f"{mock.base_url}/__mock/world").json()


def crowd_tokens(summary: dict) -> list[str]:
    """Generated attendees (no named role) holding a ticket to the main event."""
    named = set(TOKENS.values())
    return [u["token"] for u in summary["users"]
            if u["token"] not in named and u["role"] == "attendee"
            and any(t["eventurl"] == EVENT_URL for t in u["tickets"])]


async def fire(base_url: str, requests: list[tuple[str, str, str]]) -> list[httpx.Response]:
    """Send every (method, path, token) at once."""
    limits = httpx.Limits(max_connections=len(requests))
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=60) as client:
        return await asyncio.gather(*(client.request(method, path, headers=auth(token))
                                      for method, path, token in requests))


def registered_ids(mock: LiveMock, token: str) -> set[int]:
    body = httpx.get(f"{mock.base_url}{API}/user-session/registered?size=1000",
                     headers=auth(token)).json()
    return {s["sessionId"] for s in body["data"]}


def assert_documented_406(response: httpx.Response, scenario: str, **values: object) -> None:
    case = catalogue.lookup(scenario, "registerForSession")
    assert response.status_code == 406
    body = response.json()
    assert (body["errorCode"], body["errorMessage"]) == \
        (case.code, case.body(**values)["errorMessage"])


# -- atomic rules through four workers --------------------------------------------------------
def test_capacity_is_never_oversold_by_concurrent_workers(redis_port: int) -> None:
    with shared_mock(redis_port, 0, "--workers", "4", "--attendees", "220") as mock:
        summary = world(mock)
        session_id = summary["cases"]["small_session"]
        tokens = crowd_tokens(summary)[:CONCURRENT]
        assert len(tokens) == CONCURRENT
        path = f"{API}/session/{session_id}/register"
        responses = asyncio.run(fire(mock.base_url, [("POST", path, t) for t in tokens]))

        statuses = Counter(r.status_code for r in responses)
        assert statuses == {200: SMALL_SESSION_CAPACITY, 406: CONCURRENT - SMALL_SESSION_CAPACITY}
        for response in responses:
            if response.status_code == 406:
                assert_documented_406(response, "capacity-reached")

        winners = {t for t, r in zip(tokens, responses, strict=True) if r.status_code == 200}
        # Every worker answers the same: ask several times, the requests spread over them.
        for _ in range(8):
            analytics = httpx.get(
                f"{mock.base_url}/rest/host/event/{EVENT_URL}/session/{session_id}/analytics"
                "?expand=stats,registerdHolderUsers", headers=auth(TOKENS["host"])).json()
            assert analytics["sessionStats"]["registeredUserCount"] == SMALL_SESSION_CAPACITY
            assert len(analytics["registerdHolderUsers"]) == SMALL_SESSION_CAPACITY
        holders = {h["userId"] for h in analytics["registerdHolderUsers"]}
        users_by_token = {u["token"]: u["userId"] for u in world(mock)["users"]}
        assert holders == {users_by_token[t] for t in winners}
        for token in tokens:
            assert (session_id in registered_ids(mock, token)) == (token in winners)
        summary_after = world(mock)
        seats = next(s for s in summary_after["sessions"] if s["sessionId"] == session_id)
        assert seats["registrations"] == SMALL_SESSION_CAPACITY


def registrable_sessions(summary: dict) -> list[int]:
    """Sessions the limited pass could book (joinSession=true) but for its session limit."""
    return [s["sessionId"] for s in summary["sessions"]
            if s["eventurl"] == EVENT_URL and s["status"] == "VISIBLE"
            and not s["hideSessionFromAttendees"] and not s["ticketTypesThatCanBeRegistered"]
            and s["phase"] == "upcoming"
            and (s["capacity"] == 0 or s["registrations"] < s["capacity"])]


def test_session_limit_holds_under_concurrent_registrations(redis_port: int) -> None:
    with shared_mock(redis_port, 1, "--workers", "4", "--sessions", "500") as mock:
        summary = world(mock)
        limited = TOKENS["limited_attendee"]
        for held in summary["cases"]["limited_attendee_sessions"]:  # start from 0 of 2 held
            assert httpx.delete(f"{mock.base_url}{API}/session/{held}/register",
                                headers=auth(limited)).status_code == 200
        summary = world(mock)
        sessions = registrable_sessions(summary)[:CONCURRENT]
        assert len(sessions) == CONCURRENT
        requests = [("POST", f"{API}/session/{s}/register?joinSession=true", limited)
                    for s in sessions]
        responses = asyncio.run(fire(mock.base_url, requests))

        statuses = Counter(r.status_code for r in responses)
        assert statuses == {200: LIMITED_PASS_SESSIONS, 406: CONCURRENT - LIMITED_PASS_SESSIONS}
        for response in responses:
            if response.status_code == 406:
                assert_documented_406(response, "session-limit-reached",
                                      number_of_sessions_permitted=LIMITED_PASS_SESSIONS)
        booked = {s for s, r in zip(sessions, responses, strict=True) if r.status_code == 200}
        for _ in range(8):  # every worker agrees
            assert registered_ids(mock, limited) == booked
        counts = {s["sessionId"]: s["registrations"] for s in world(mock)["sessions"]}
        before = {s["sessionId"]: s["registrations"] for s in summary["sessions"]}
        assert {s for s in sessions if counts[s] != before[s]} == booked


# -- one world: restarts, instances, snapshots, controls --------------------------------------
def test_a_restart_loses_no_registration(redis_port: int) -> None:
    with shared_mock(redis_port, 2) as first:
        cases = world(first)["cases"]
        for name in ("open_session", "small_session"):
            register = f"{first.base_url}{API}/session/{cases[name]}/register"
            assert httpx.post(register, headers=auth(TOKENS["attendee"])).status_code == 200
        mine = registered_ids(first, TOKENS["attendee"])
    with shared_mock(redis_port, 2, "--seed", "7") as again:  # the saved world wins
        assert registered_ids(again, TOKENS["attendee"]) == mine
        assert world(again)["seed"] == 42
    assert {cases["open_session"], cases["small_session"]} <= mine


def test_instances_share_changes_controls_and_journal(redis_port: int) -> None:
    with shared_mock(redis_port, 3) as one, shared_mock(redis_port, 3) as two:
        session_id = world(one)["cases"]["open_session"]
        # `two` has answered this GET once: its kept answer must not hide `one`'s change.
        assert session_id not in registered_ids(two, TOKENS["attendee"])
        httpx.post(f"{one.base_url}{API}/session/{session_id}/register",
                   headers=auth(TOKENS["attendee"]))
        assert session_id in registered_ids(two, TOKENS["attendee"])

        httpx.put(f"{one.base_url}/__mock/clock", json={"advanceMinutes": 600})
        assert httpx.get(f"{two.base_url}/__mock/clock").json()["now"].startswith("2026-03-10T22:00")
        httpx.put(f"{one.base_url}/__mock/scenario", json={"scenario": "capacity-reached", "calls": 1})
        forced = httpx.post(f"{two.base_url}{API}/session/{session_id}/register",
                            headers=auth(TOKENS["networker"]))
        assert forced.status_code == 406  # the one forced call, taken by the other instance
        assert httpx.get(f"{one.base_url}/__mock/scenario").json()["scenario"] is None

        journal = httpx.get(f"{two.base_url}/__mock/journal").json()["entries"]
        assert [e["operation"] for e in journal][-2:] == ["getRegisteredSessions", "registerForSession"]
        answered = [datetime.fromisoformat(e["at"]) for e in journal]  # stamped when answered
        assert answered == sorted(answered) and answered[-1] <= datetime.now(UTC)
        assert answered[-1] > datetime.now(UTC) - timedelta(seconds=30)

        assert session_id in registered_ids(one, TOKENS["attendee"])
        assert httpx.post(f"{two.base_url}/__mock/reset").status_code == 200
        assert registered_ids(one, TOKENS["attendee"]) == set()  # the reset reached `one`...
        entries = httpx.get(f"{one.base_url}/__mock/journal").json()["entries"]
        assert [e["operation"] for e in entries] == ["getRegisteredSessions"]  # ...and its journal


def test_a_snapshot_from_one_mock_imports_into_another(redis_port: int) -> None:
    with shared_mock(redis_port, 4) as source, shared_mock(redis_port, 5, "--seed", "7") as target:
        session_id = world(source)["cases"]["small_session"]
        httpx.post(f"{source.base_url}{API}/session/{session_id}/register",
                   headers=auth(TOKENS["attendee"]))
        snapshot = httpx.get(f"{source.base_url}/__mock/state").json()
        assert httpx.put(f"{target.base_url}/__mock/state", json=snapshot).status_code == 200
        assert world(target)["seed"] == 42
        assert registered_ids(target, TOKENS["attendee"]) == registered_ids(source, TOKENS["attendee"])


def test_a_match_reaches_a_socket_held_by_another_instance(redis_port: int) -> None:
    with shared_mock(redis_port, 6) as one, shared_mock(redis_port, 6) as two:
        session_id = world(one)["cases"]["networking_session"]
        for token in (TOKENS["attendee"], TOKENS["networker"]):
            httpx.post(f"{one.base_url}{API}/session/{session_id}/register", headers=auth(token))

        async def wait_for_match() -> dict:
            url = two.base_url.replace("http", "ws", 1) + f"/__mock/socket?token={TOKENS['networker']}"
            async with websockets.connect(url) as socket:
                assert json.loads(await socket.recv())["type"] == "CONNECTED"
                for token in (TOKENS["networker"], TOKENS["attendee"]):
                    httpx.put(f"{one.base_url}{API}/session/{session_id}/status"
                              "?status=CHECK_IN_AVAILABLE", headers=auth(token))
                return json.loads(await asyncio.wait_for(socket.recv(), timeout=10))

        notice = asyncio.run(wait_for_match())
        assert notice["type"] == "NETWORKING_MATCH"


def test_a_long_log_is_compacted_into_a_snapshot_that_new_workers_start_from(
        redis_port: int, monkeypatch: pytest.MonkeyPatch) -> None:
    from accelevents_mock.config import MockConfig
    from accelevents_mock.runtime.state import MockState
    from accelevents_mock.store import shared

    monkeypatch.setattr(shared, "COMPACT_AFTER", 5)
    url = f"redis://127.0.0.1:{redis_port}/7"

    async def scenario() -> tuple[MockState, MockState, int]:
        first = MockState(MockConfig(store=url))
        await first.sync()
        attendee = first.service.authenticate(TOKENS["attendee"])
        for session_id in sorted(first.world.sessions)[:12]:
            with contextlib.suppress(catalogue.ApiError):
                await first.transact(lambda s=session_id: first.service.register(
                    EVENT_URL, attendee, s, join_session=True))
        log_length = await first.backend.redis.llen(shared.LOG)
        second = MockState(MockConfig(store=url, seed=7))  # joins the saved world
        await second.sync()
        return first, second, log_length

    first, second, log_length = asyncio.run(scenario())
    assert log_length < 5  # compacted at least once
    assert second.world_params() == first.world_params()
    assert second.store.snapshot() == first.store.snapshot()
    assert len(first.store.user_registrations(first.world.events[EVENT_URL].id,
                                              first.service.authenticate(TOKENS["attendee"]).id)) > 5


# -- one world after a reset, whichever worker answers ---------------------------------------
def test_a_reset_after_a_clock_move_leaves_every_worker_on_one_clock(redis_port: int) -> None:
    """Issue 17: a reset starts a new log; a worker that missed the clock move before it must
    still get the clock from the new log, or it sees the new world's live session as not live
    yet (407). Each registration goes on a new connection, so it may land on either worker."""
    refused = []
    with shared_mock(redis_port, 8, "--workers", "2") as mock:
        for _ in range(20):
            httpx.put(f"{mock.base_url}/__mock/clock", json={"advanceMinutes": 240})
            httpx.post(f"{mock.base_url}/__mock/reset")
            session_id = world(mock)["cases"]["networking_session"]
            path = f"{mock.base_url}{API}/session/{session_id}/register"
            for _ in range(6):
                with httpx.Client(headers=auth(TOKENS["networker"])) as client:
                    response = client.post(path)
                if response.status_code != 200:
                    refused.append((response.status_code, response.text))
                with httpx.Client(headers=auth(TOKENS["networker"])) as client:
                    client.delete(path)
    assert refused == []


# -- Redis unreachable ------------------------------------------------------------------------
def assert_store_unavailable(response: httpx.Response) -> None:
    case = catalogue.transport(catalogue.Transport.STORE_UNAVAILABLE)
    assert response.status_code == 503, response.text
    body = response.json()
    assert (body["errorCode"], body["errorMessage"]) == (case.code, case.message)
    assert "Redis" in body["developerMessage"]
    assert response.headers["Retry-After"].isdigit()
    assert response.elapsed.total_seconds() < 1


def test_an_unreachable_redis_answers_503_and_service_comes_back_with_it() -> None:
    with running_redis() as server, shared_mock(server.port, 0, "--workers", "2") as mock:
        session_id = world(mock)["cases"]["open_session"]
        register = f"{mock.base_url}{API}/session/{session_id}/register"
        listing = f"{mock.base_url}{API}/session"
        assert httpx.post(register, headers=auth(TOKENS["attendee"])).status_code == 200

        server.stop()
        for _ in range(4):  # each worker, whatever it held before
            assert_store_unavailable(httpx.get(listing, headers=auth(TOKENS["attendee"])))
            assert_store_unavailable(httpx.post(register, headers=auth(TOKENS["attendee"])))
            assert_store_unavailable(httpx.put(f"{mock.base_url}/__mock/clock",
                                               json={"advanceMinutes": 1}))

        # An empty Redis (no persistence): the registration went with it, on every worker.
        server.start()
        time.sleep(RETRY_AFTER_S)  # as the 503s asked
        assert [registered_ids(mock, TOKENS["attendee"]) for _ in range(6)] == [set()] * 6
        assert httpx.post(register, headers=auth(TOKENS["attendee"])).status_code == 200
        assert [registered_ids(mock, TOKENS["attendee"]) for _ in range(6)] == [{session_id}] * 6

    # A Redis that accepts connections but answers nothing, met first by a new worker.
    with running_redis() as server, shared_mock(server.port, 0, "--workers", "2") as mock:
        listing = f"{mock.base_url}{API}/session"
        server.pause()
        answers = [httpx.get(listing, headers=auth(TOKENS["attendee"]), timeout=5)
                   for _ in range(6)]
        assert all(a.elapsed.total_seconds() < 1 for a in answers)
        for answer in answers:
            assert answer.status_code == 200 or assert_store_unavailable(answer) is None
        assert any(a.status_code == 503 for a in answers)
        server.pause(False)
        time.sleep(RETRY_AFTER_S)
        assert [httpx.get(listing, headers=auth(TOKENS["attendee"])).status_code
                for _ in range(4)] == [200] * 4


def test_a_read_makes_no_round_trip_even_after_a_change(redis_port: int) -> None:
    """Issue 17: workers learn of new log entries by pub/sub; issue 28: the message carries the
    entry, so no worker reads the log for it. The journal is written behind the requests
    (test_shared_journal.py counts a GET's round trips in process: none)."""
    import redis

    def calls() -> Counter:
        stats = redis.Redis(port=redis_port).info("commandstats")
        return Counter({name[len("cmdstat_"):]: v["calls"] for name, v in stats.items()})

    journal_stores = {"evalsha", "get", "zscore", "zadd", "zremrangebyrank"}  # the script and what it runs
    with shared_mock(redis_port, 9, "--workers", "2") as mock:
        listing = f"{mock.base_url}{API}/session?size=5"
        for _ in range(30):  # each worker has caught up once (missed by 30 in 2^30 runs)
            httpx.get(listing, headers=auth(TOKENS["attendee"]))
        before = calls()
        for page in range(40):  # new connections, so both workers answer some
            assert httpx.get(f"{listing}&page={page % 3}",
                             headers=auth(TOKENS["attendee"])).status_code == 200
        assert {name for name in calls() - before if name != "info"} <= journal_stores
        session_id = world(mock)["cases"]["open_session"]
        before = calls()
        httpx.post(f"{mock.base_url}{API}/session/{session_id}/register",
                   headers=auth(TOKENS["attendee"]))
        assert all(session_id in registered_ids(mock, TOKENS["attendee"]) for _ in range(6))
        committed = calls() - before
        assert committed["rpush"] == 1  # the change, appended by the commit script...
        assert committed["lrange"] == 0  # ...and read by no worker: it came with its message


def test_a_journal_entry_is_seen_by_another_instance_right_after_the_answer(redis_port: int) -> None:
    """Written behind the request, yet any reader sees it as soon as the client has its answer."""
    with shared_mock(redis_port, 10) as one, shared_mock(redis_port, 10) as two:
        session_id = world(one)["cases"]["open_session"]
        calls = (f"{API}/session?size=2", f"{API}/session/v2/{session_id}")  # in this order
        journal, last = f"{two.base_url}/__mock/journal", 0
        for round_ in range(8):  # one, then two, answers first
            for mock, call in zip((one, two)[::1 - 2 * (round_ % 2)], calls, strict=True):
                assert httpx.get(mock.base_url + call,
                                 headers=auth(TOKENS["attendee"])).status_code == 200
            entries = httpx.get(journal, params={"since": last}).json()["entries"]
            assert [(e["operation"], e["status"]) for e in entries] == \
                [("listSessions", 200), ("getSession", 200)]
            assert entries[0]["id"] < entries[1]["id"]
            last = entries[-1]["id"]
