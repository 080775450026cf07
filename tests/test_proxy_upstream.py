"""The proxy's cheap path (issue 18's "adds at most 2 ms at p50"): its client of the target and
the remembered request verdicts must stay right, not only fast."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from types import SimpleNamespace

import orjson
import pytest
from starlette.types import Receive, Scope, Send

from accelevents_mock.contract.spec import match
from accelevents_mock.contract.verdicts import Violation, response_violations
from accelevents_mock.proxy import answer_checks, request_checks
from accelevents_mock.proxy.forward import operation_for
from accelevents_mock.proxy.request_checks import request_verdict
from accelevents_mock.proxy.upstream import Answer, Upstream
from accelevents_mock.testing.handle import LiveServer

EVENT = "/events/mock-event"
LIST = match("GET", f"{EVENT}/session")
DETAIL = match("GET", f"{EVENT}/session/v2/1")


def kinds(verdict: tuple) -> list[str]:
    return [f"{v.kind} {v.message.split(':')[0]}" for v in verdict]


def test_a_remembered_request_verdict_is_that_requests_own() -> None:
    assert LIST is not None and DETAIL is not None
    wrong, right = "page=0&size=abc", "page=0&size=5"
    for _ in range(2):  # the second round is answered from what was remembered
        assert kinds(request_verdict(LIST, f"{EVENT}/session", wrong, {}, None, b"")) == \
            ["request-parameter query parameter size"]
        assert request_verdict(LIST, f"{EVENT}/session", right, {}, None, b"") == ()
        assert kinds(request_verdict(DETAIL, f"{EVENT}/session/v2/abc", "", {}, None, b"")) == \
            ["request-parameter path parameter sessionId"]
        assert request_verdict(DETAIL, f"{EVENT}/session/v2/11001", "", {}, None, b"") == ()


def test_headers_the_operation_does_not_document_share_one_verdict() -> None:
    assert LIST is not None
    request_verdict(LIST, f"{EVENT}/session", "size=7", {"user-agent": "a"}, None, b"")
    before = request_checks._request_again.cache_info().hits
    request_verdict(LIST, f"{EVENT}/session", "size=7", {"user-agent": "b", "authorization": "x"},
                    None, b"")
    assert request_checks._request_again.cache_info().hits == before + 1


async def echo_target(scope: Scope, receive: Receive, send: Send) -> None:
    """Sets a cookie and answers with the raw value of the header named in its query."""
    assert scope["type"] == "http"
    sent = dict(scope["headers"]).get(scope["query_string"], b"")
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"text/plain"), (b"set-cookie", b"seen=1; Path=/")]})
    await send({"type": "http.response.body", "body": sent})


@pytest.fixture(scope="module")
def target() -> Iterator[LiveServer]:
    with LiveServer(SimpleNamespace(app=echo_target)) as server:  # type: ignore[arg-type]
        yield server


def test_one_callers_cookies_never_reach_another(target: LiveServer) -> None:
    upstream = Upstream()

    async def twice() -> list[Answer]:
        return [await upstream.send("GET", f"{target.base_url}/x?cookie", [], b"", 5) for _ in range(2)]

    first, second = asyncio.run(twice())
    assert (b"set-cookie", b"seen=1; Path=/") in [(k.lower(), v) for k, v in first.headers]
    assert second.content == b""  # the target's cookie was passed back, not kept and sent on


def test_the_targets_connections_close_with_their_event_loop(target: LiveServer) -> None:
    """One session per event loop, for every proxy on it, closed when the loop ends."""
    async def call() -> tuple[Answer, list]:
        answer = await Upstream().send("GET", f"{target.base_url}/x?cookie", [("cookie", "c=2")],
                                       b"", 5)
        return answer, [await Upstream().session(), await Upstream().session()]

    sessions = []
    for _ in range(2):  # a new loop each time: a new session
        answer, used = asyncio.run(call())
        assert (answer.status, answer.content) == (200, b"c=2")
        assert used[0] is used[1]  # every proxy on the loop
        sessions.append(used[0])
    assert sessions[0] is not sessions[1]
    assert all(session.closed for session in sessions)  # no "Unclosed client session" left


def test_headers_reach_the_target_as_the_caller_sent_them(target: LiveServer) -> None:
    from accelevents_mock.proxy.forward import outgoing_headers

    raw = "Zoë Müller".encode()
    scope = {"headers": [(b"x-name", raw), (b"host", b"mock"), (b"authorization", b"t")]}
    headers = outgoing_headers(scope, {})
    assert [name for name, _ in headers] == ["x-name", "authorization"]
    answer = asyncio.run(Upstream().send("GET", f"{target.base_url}/x?x-name", headers, b"", 5))
    assert answer.content == raw


def test_a_body_goes_on_with_the_callers_content_type_or_none(target: LiveServer) -> None:
    async def posts() -> list[bytes]:
        upstream = Upstream()
        return [(await upstream.send("POST", f"{target.base_url}/x?content-type", headers, b"{}",
                                     5)).content
                for headers in ([], [("content-type", "application/json")])]

    assert asyncio.run(posts()) == [b"", b"application/json"]  # never aiohttp's octet-stream


def test_credentials_in_the_target_url_are_sent_instead_of_the_callers(
        target: LiveServer) -> None:
    with_user = target.base_url.replace("http://", "http://user:pw@") + "/x?authorization"
    answer = asyncio.run(Upstream().send("GET", with_user, [("Authorization", "caller")], b"", 5))
    assert (answer.status, answer.content) == (200, b"Basic dXNlcjpwdw==")


@pytest.fixture(scope="module")
def a_session_answer() -> bytes:
    """A getSession 200 body the contract accepts, as the mock writes it."""
    from tests.conftest import make_client

    answer = make_client().get("/rest/events/mock-event/session/v2/11001",
                               headers={"Authorization": "attendee-token"})
    assert answer.status_code == 200
    return answer.content


@pytest.mark.parametrize("changed", ["operation", "status", "content type", "content"])
def test_a_remembered_answer_verdict_is_that_answers_own(a_session_answer: bytes,
                                                         changed: str) -> None:
    """Each operation's latest answer is remembered with its verdict: an answer that differs in
    any one part the verdict depends on must be judged itself, not given the latest's verdict."""
    base = ("getSession", 200, "application/json", a_session_answer)
    other = {"operation": ("listSessions", *base[1:]),
             "status": ("getSession", 404, *base[2:]),
             "content type": ("getSession", 200, "text/plain", a_session_answer),
             # as long as the body, one value of the wrong type
             "content": (*base[:3], a_session_answer.replace(b'"qnAPrivate":true',
                                                             b'"qnAPrivate":"tr"'))}
    assert other["content"][3] != a_session_answer
    assert answer_checks.judge_answer(*base) == ()
    found = answer_checks.judge_answer(*other[changed])
    assert found != () and found == answer_checks._judge(*other[changed])
    assert answer_checks.judge_answer(*base) == ()


def test_an_unchanged_answer_is_not_judged_again(a_session_answer: bytes,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """An answer equal to one judged before gets that verdict without the contract being read
    again, also after another answer in between; an answer not seen before is judged."""
    judged: list[object] = []  # the answers the contract was read for

    def counted(operation_id: str, status: int, content_type: str | None,
                body: object) -> list[Violation]:
        judged.append(body)
        return response_violations(operation_id, status, content_type, body)

    monkeypatch.setattr(answer_checks, "response_violations", counted)
    # Titles no other test judged, so this test starts from answers never seen.
    first, second = (a_session_answer.replace(b'"title":"', f'"title":"{uuid.uuid4()} '.encode(), 1)
                     for _ in range(2))

    def judge(answer: bytes) -> tuple[Violation, ...]:
        return answer_checks.judge_answer("getSession", 200, "application/json", answer)

    assert judge(first) == () and len(judged) == 1
    assert judge(bytes(bytearray(first))) == ()  # equal bytes, another object (as each read gives)
    assert judge(second) == () and len(judged) == 2
    assert judge(first) == ()  # after another answer
    assert judged == [orjson.loads(answer) for answer in (first, second)]


def test_the_remembered_operation_of_a_call_is_that_calls_own() -> None:
    register = f"{EVENT}/session/11001/register"
    for _ in range(2):  # the second round is answered from what was remembered
        found = [operation_for(method, path) for method, path in
                 [("POST", register), ("DELETE", register), ("GET", f"{EVENT}/session"),
                  ("GET", f"{EVENT}/session/v2/11001"), ("PUT", f"{EVENT}/session")]]
        assert [op.operation_id if op else None for op in found] == \
            [op.operation_id if op else None for op in
             [match("POST", register), match("DELETE", register), LIST, DETAIL, None]]
    assert len({op.operation_id for op in found[:4] if op}) == 4
