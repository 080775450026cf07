"""Repeated GETs are answered from memory, and never once anything they depend on changed."""

from __future__ import annotations

from datetime import timedelta

import pytest

from accelevents_mock.contract.cases import TOKENS

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
    memory: through Connexion's endpoint (which reads the call's steering first) or through
    the fast path (which calls `Operations.answer`)."""
    from accelevents_mock.api.handlers import Operations

    seen: list[str] = []
    steering, answer = Operations.steering, Operations.answer

    def counting_steering(self, operation_id, *args):
        seen.append(operation_id)
        return steering(self, operation_id, *args)

    async def counting_answer(self, operation_id, *args):
        seen.append(operation_id)
        return await answer(self, operation_id, *args)

    monkeypatch.setattr(Operations, "steering", counting_steering)
    monkeypatch.setattr(Operations, "answer", counting_answer)
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
    from accelevents_mock.cli import config_from, parse_args
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


def test_a_write_leaves_kept_answers_about_other_sessions_kept(client, cases,
                                                              monkeypatch) -> None:
    service_class = type(client.app.state.service)
    worked_out: list[int] = []
    original = service_class.get_session

    def counting(self, eventurl, user, session_id, expand, **options):
        worked_out.append(session_id)
        return original(self, eventurl, user, session_id, expand, **options)

    monkeypatch.setattr(service_class, "get_session", counting)
    detail = "/rest/events/mock-event/session/v2/{}?expand=stats".format
    other, written = cases["workshop_session"], cases["open_session"]
    before = get(client, detail(written)).json()["sessionStats"]["registeredUserCount"]
    get(client, detail(other))
    client.post(f"/rest/events/mock-event/session/{written}/register",
                headers={"Authorization": TOKENS["networker"]})
    get(client, detail(other))  # another session's answer: still true, given again
    after = get(client, detail(written)).json()["sessionStats"]["registeredUserCount"]
    assert worked_out == [written, other, written] and after == before + 1


# Few sessions and callers, so that a read, a write it depends on and the read again come
# often; the workshop and the networking session come up more (joins, availability).
SESSIONS = (11001, 11002, 11007, 11008, 11010, 11011, 11007, 11008)
CALLERS = ("attendee", "networker", "attendee", "networker", "limited_attendee", "host")
READS = ("/rest/events/mock-event/session?page=0&size=10&expand=stats",
         "/rest/events/mock-event/session?page=0&size=10",
         "/rest/events/mock-event/session/v2/{session}",
         "/rest/events/mock-event/session?size=50&expand=stats,registerdHolderUsers",
         "/rest/events/mock-event/session?currentUserRegisteredEventTicketId=10001",
         "/rest/events/mock-event/session?past=true",
         "/rest/events/mock-event/user-session/registered",
         "/rest/events/mock-event/session/v2/{session}?expand=stats",
         "/rest/host/event/mock-event/session/{session}?expand=stats",
         "/rest/host/event/mock-event/session/{session}/analytics",
         "/rest/events/mock-event/session/{session}/matches")
WRITES = (("POST", "/rest/events/mock-event/session/{session}/register", SESSIONS),
          ("DELETE", "/rest/events/mock-event/session/{session}/register", SESSIONS),
          ("PUT", "/rest/events/mock-event/session/{session}", (11007,)),  # join the workshop
          ("PUT", "/rest/events/mock-event/session/{session}/status?status=CHECK_IN_AVAILABLE",
           (11008,)))


def test_kept_answers_are_the_answers_worked_out_under_random_writes(monkeypatch) -> None:
    """The same seeded walk of reads, writes and clock moves against the cached mock and one
    that works out every answer: every read answers the same bytes on both."""
    import random
    from collections import Counter

    from accelevents_mock.middleware.response_cache import ResponseCache
    from tests.conftest import make_client

    given_again: list[bool] = []
    still_true = ResponseCache.still_true
    monkeypatch.setattr(ResponseCache, "still_true", lambda self, answer: given_again.append(
        still_true(self, answer)) or given_again[-1])

    cached, computed = make_client(), make_client(response_cache=False)
    for c in (cached, computed):  # registered: joins and availability can change things
        for who, session in (("attendee", 11007), ("networker", 11007), ("attendee", 11008),
                             ("networker", 11008)):
            assert c.post(f"/rest/events/mock-event/session/{session}/register",
                          headers={"Authorization": TOKENS[who]}).status_code == 200
    walk = random.Random(17)
    reads, written = 0, Counter[str]()
    for step in range(800):
        caller = {"Authorization": TOKENS[walk.choice(CALLERS)]}
        session = walk.choice(SESSIONS)
        roll = walk.random()
        if roll < 0.25:
            method, path, sessions = walk.choice(WRITES)
            session = walk.choice(sessions)
            answers = [c.request(method, path.format(session=session), headers=caller)
                       for c in (cached, computed)]
            written[method + path.split("/")[-1]] += answers[0].status_code == 200
        elif roll < 0.26:  # a few minutes on: phases may change, the live ones stay live
            for c in (cached, computed):
                assert c.put("/__mock/clock", json={"advanceMinutes": 7}).status_code == 200
            continue
        else:
            path = walk.choice(READS).format(session=session)
            answers = [c.get(path, headers=caller) for c in (cached, computed)]
            reads += 1
        assert (answers[0].status_code, answers[0].content) == \
            (answers[1].status_code, answers[1].content), (step, path, caller)
    assert min(written.values()) > 5  # every kind of write took effect several times
    assert reads > 500 and given_again.count(True) > 80  # kept answers were given, and
    assert given_again.count(False) > 50  # writes and clock moves made others stale


def test_kept_answers_are_bounded_and_the_latest_used_stay() -> None:
    from accelevents_mock.middleware.response_cache import ResponseCache
    from tests.conftest import make_client

    client = make_client()
    cache = client.app.app
    while not isinstance(cache, ResponseCache):
        cache = getattr(cache, "app", None) or cache.router.default
    cache.max_entries = 3
    pages = [f"/rest/events/mock-event/session?page={page}" for page in range(5)]
    for path in [*pages, pages[2]]:
        assert get(client, path).status_code == 200
        assert len(cache._answers) <= 3
    assert [key[1] for key in cache._answers] == [b"page=3", b"page=4", b"page=2"]
