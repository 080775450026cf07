"""The proxy itself: an ASGI layer in front of the mock's API that forwards the operations it
is set to forward (`state.proxy.settings`), judges each exchange against the contract, and hands the rest,
and what the target fails to answer, to the mock behind it."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from functools import lru_cache

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from accelevents_mock.api.credentials import CREDENTIAL_HEADERS, token_from_headers
from accelevents_mock.contract import catalogue
from accelevents_mock.contract.catalogue import Transport
from accelevents_mock.contract.spec import BASE_PATH, Operation, is_api_call, match
from accelevents_mock.contract.verdicts import Violation, is_json
from accelevents_mock.http import JSON, dumps
from accelevents_mock.proxy.answer_checks import judge_answer, parse_json
from accelevents_mock.proxy.findings import FindingJSON, as_json
from accelevents_mock.proxy.request_checks import request_verdict
from accelevents_mock.proxy.settings import ProxySettings, display
from accelevents_mock.proxy.upstream import Answer, Headers, Upstream, UpstreamFailed
from accelevents_mock.recording.proxied import ProxyRecorder
from accelevents_mock.runtime.state import MockState
from accelevents_mock.safety.redact import Redactor

log = logging.getLogger("accelevents_mock.proxy")

SOURCE_HEADER, VIOLATIONS_HEADER = b"x-mock-source", b"x-mock-violations"
FAILED_STATUSES = frozenset({502, 503, 504})  # the target's gateway failed: the mock may answer
HOP_BY_HOP = frozenset({b"connection", b"keep-alive", b"proxy-authenticate", b"proxy-authorization",
                        b"te", b"trailer", b"transfer-encoding", b"upgrade"})
# aiohttp asks for and decodes compressed bodies itself; our server writes its own date and length.
NOT_SENT_ON = HOP_BY_HOP | {b"host", b"content-length", b"accept-encoding"}
NOT_SENT_BACK = HOP_BY_HOP | {b"content-encoding", b"content-length", b"date", b"server"}


def with_source(send: Send, source: str) -> Send:
    """`send` with X-Mock-Source added to the answer."""

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []),
                                              (SOURCE_HEADER, source.encode())]}
        await send(message)
    return sending


async def read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    return b"".join(chunks)


def replaying(body: bytes, receive: Receive) -> Receive:
    """A `receive` that gives `body` again, then whatever the client does next."""
    given = False

    async def again() -> Message:
        nonlocal given
        if given:
            return await receive()
        given = True
        return {"type": "http.request", "body": body, "more_body": False}
    return again


async def respond(send: Send, status: int, headers: Headers, body: bytes) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [*headers, (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def map_credential(value: str, token_map: dict[str, str]) -> str:
    """The staging token for the mock token in a credential header (keeping `Bearer `)."""
    scheme, _, rest = value.strip().partition(" ")
    if scheme.lower() == "bearer" and rest.strip() in token_map:
        return f"{scheme} {token_map[rest.strip()]}"
    return token_map.get(value.strip(), value)


def outgoing_headers(scope: Scope, token_map: dict[str, str]) -> list[tuple[str, str]]:
    headers = []
    for raw_name, raw_value in scope["headers"]:
        if raw_name in NOT_SENT_ON:
            continue
        name, value = raw_name.decode("latin-1"), header_text(raw_value)
        if token_map and name in CREDENTIAL_HEADERS:
            value = map_credential(value, token_map)
        headers.append((name, value))
    return headers


def header_text(value: bytes) -> str:
    """A header value as text that aiohttp (which writes UTF-8) sends as the same bytes when
    they are UTF-8 (ASCII included); other bytes are read as Latin-1."""
    try:
        return value.decode()
    except UnicodeDecodeError:
        return value.decode("latin-1")


# The operation a call is for: the spec does not change while the mock runs, and matching a
# path against every operation's pattern each time is most of what deciding to forward costs.
operation_for = lru_cache(maxsize=1024)(match)


class Proxy:
    def __init__(self, app: ASGIApp, state: MockState) -> None:
        self.app, self.state = app, state
        self.upstream = Upstream()
        self._recorder: ProxyRecorder | None = None
        self._warned_writes = False
        self._target_down = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        settings = self.state.proxy.settings
        if scope["type"] != "http" or settings.target is None or not is_api_call(scope["path"]):
            await self.app(scope, receive, send)
            return
        op = operation_for(scope["method"], scope["path"].removeprefix(BASE_PATH))
        notes = scope.setdefault("mock", {})
        if op is None or not settings.forwards(op.operation_id):
            notes["source"] = "mock"
            await self.app(scope, receive, with_source(send, "mock"))
            return
        if not op.safe and not settings.allow_writes:
            if not self._warned_writes:
                self._warned_writes = True
                log.warning("proxy: %s calls (%s) are answered by the mock, not forwarded: "
                            "start with --proxy-allow-writes to send writes to the target "
                            "(warned once)", scope["method"], op.operation_id)
            notes["source"] = "mock"
            await self.app(scope, receive, with_source(send, "mock"))
            return
        await self.forward(op, settings, scope, receive, send, notes)

    async def forward(self, op: Operation, settings: ProxySettings, scope: Scope, receive: Receive,
                      send: Send, notes: dict) -> None:
        body = await read_body(receive)
        notes["operation"] = op.operation_id
        upstream: Answer | None = None
        failure: Transport | None = None
        try:
            upstream = await self.upstream.send(
                scope["method"], target_url(settings.target or "", scope),
                outgoing_headers(scope, settings.token_map), body, settings.timeout_s)
        except UpstreamFailed as exc:
            failure = exc.transport
            log.debug("proxy: %s", exc)
        failed = failure is not None or (upstream is not None and upstream.status in FAILED_STATUSES)
        self._note_target(failed, settings, failure, upstream)
        if failed and settings.fallback:
            notes["source"] = "mock-fallback"
            await self.app(scope, replaying(body, receive), with_source(send, "mock-fallback"))
            return
        notes["source"] = "proxy"
        if upstream is None:
            case = catalogue.transport(failure or Transport.UPSTREAM_UNREACHABLE)
            why = "did not answer in time" if case.status == 504 else "could not be reached"
            await respond(send, case.status, [(b"content-type", JSON.encode()), (SOURCE_HEADER, b"proxy")],
                          dumps(case.body(f"the proxy's target {display(settings.target)} {why}")))
            return
        await self.judged(op, settings, scope, body, upstream, notes, send)

    def _note_target(self, failed: bool, settings: ProxySettings, failure: Transport | None,
                     upstream: Answer | None) -> None:
        """Logs when the target stops answering (once) and when it is back."""
        if failed and not self._target_down:
            why = failure or f"status {upstream.status if upstream else '?'}"
            then = "the mock answers instead" if settings.fallback else "callers get its failure"
            log.warning("proxy: the target %s failed (%s): %s", display(settings.target), why, then)
        elif not failed and self._target_down:
            log.warning("proxy: the target %s answers again", display(settings.target))
        self._target_down = failed

    async def judged(self, op: Operation, settings: ProxySettings, scope: Scope, body: bytes,
                     upstream: Answer, notes: dict, send: Send) -> None:
        """The target's answer, judged: its findings in the journal, the log of findings and a
        header; under --proxy-strict, a broken answer becomes the documented 502."""
        headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]}
        content_type = upstream.content_type
        query = scope.get("query_string", b"").decode("latin-1")
        url_path = scope["path"].removeprefix(BASE_PATH)
        response_found = judge_answer(op.operation_id, upstream.status, content_type,
                                      upstream.content)
        found: list[Violation] = [*request_verdict(op, url_path, query, headers,
                                                 headers.get("content-type"), body),
                                  *response_found]
        caller = token_from_headers(headers)
        redact = redactor(settings) if found else None  # most exchanges find nothing
        listed: list[FindingJSON] = ([as_json(f, redact, [caller or ""]) for f in found]
                                     if redact is not None else [])
        notes["violations"] = listed
        if redact is not None:
            path = url_path + (f"?{query}" if query else "")
            self.state.proxy.findings.add(listed, {
                "at": datetime.now(UTC).isoformat(), "method": scope["method"],
                "path": redact.text(BASE_PATH + path, [caller]), "status": upstream.status})
        if settings.record_dir is not None and scope["method"] == "GET" and is_json(content_type):
            self.recorder(settings).add(op.operation_id, url_path + (f"?{query}" if query else ""),
                                        upstream.status, parse_json(upstream.content),
                                        [caller or "", settings.token_map.get(caller or "", "")])
        count = (VIOLATIONS_HEADER, str(len(listed)).encode())
        if settings.strict and response_found:
            case = catalogue.transport(Transport.CONTRACT_BROKEN)
            broken = [f for f in listed if not f["kind"].startswith("request-")]
            message = "; ".join(f"{f['operation']} [{f['kind']}] {f['message']}" for f in broken)
            await respond(send, case.status, [(b"content-type", JSON.encode()),
                                              (SOURCE_HEADER, b"proxy"), count],
                          dumps(case.body(f"{upstream.status} from the target: {message}")))
            return
        kept = [(name, value) for name, value in upstream.headers
                if name.lower() not in NOT_SENT_BACK]
        await respond(send, upstream.status, [*kept, (SOURCE_HEADER, b"proxy"), count],
                      upstream.content)

    def recorder(self, settings: ProxySettings) -> ProxyRecorder:
        out = settings.record_dir
        assert out is not None
        if self._recorder is None or self._recorder.out != out:
            self._recorder = ProxyRecorder(out, settings.target or "",
                                           [*settings.token_map, *settings.token_map.values()])
        return self._recorder


def redactor(settings: ProxySettings) -> Redactor:
    return Redactor([*settings.token_map, *settings.token_map.values()], emails=True)


def target_url(target: str, scope: Scope) -> str:
    raw = scope.get("raw_path") or scope["path"].encode()
    path = raw.decode("latin-1").removeprefix(BASE_PATH)
    query = scope.get("query_string", b"").decode("latin-1")
    return target.rstrip("/") + path + (f"?{query}" if query else "")
