"""A long fuzz run: thousands of Schemathesis-generated requests over every operation, each judged
by the harness's checks, against a fresh in-process mock (tests/test_fuzz_long.py runs it).

Through the engine behind `run_engine` a request costs about 25 ms of CPU here (feedback,
recording, Hypothesis's target phase, a requests session and a thread hop per call, and
configuration resolved again for every draw), so 10,000 requests would take minutes. This run
keeps what judges the mock and drops the rest:

- the schema comes from the harness's `load_schema`, configured by `schemathesis_config`: the
  same check set (ALL_CHECKS and the harness's own OUR_CHECKS), the same statuses a valid
  request may get, the same credentials (the attendee's, the host's on host operations);
- cases come from Schemathesis's own strategies, positive and negative, drawn by a derandomized
  Hypothesis with no database, so every run sends the same requests;
- every response goes through `Case.validate_response`, which runs the checks that configuration
  enables. Of those, `unsupported_method` and `missing_required_header` act only on the coverage
  phase's cases and `use_after_free`/`ensure_resource_availability` on stateful runs: the
  ordinary property tests cover them;
- each request goes straight into the ASGI app on one event loop, operations are spread over
  worker processes, and each (operation, mode) starts from a freshly built world;
- what it finds is an `EngineRun` of `contract_tests/results.py`, judged (tolerances included)
  exactly as the property run's findings are.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any
from urllib.parse import unquote, urlsplit

import requests
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.core.transport import Response

from contract_tests.checks import schemathesis_config
from contract_tests.options import resolve
from contract_tests.properties import aim_at_event, auth_headers, is_positive, load_schema
from contract_tests.results import EngineRun, check_name
from contract_tests.run import Run, start
from mockserver.contract import spec as contract

FUZZ_CLOCK = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)  # a fixed instant: the same world every run
SESSION_PARAMETERS = ("sessionId", "id")
MAX_FINDINGS = 20  # per operation; the first few say what is wrong
# Cases drawn per Hypothesis example. Each example has a fixed cost (about 2 ms) on top of its
# draws; drawing positive cases four at a time spreads it. Negative ones get dearer in batches
# (one rejected draw throws the whole batch away), so they come one by one.
BATCH = {"positive": 4, "negative": 1}


def fuzz_app() -> Any:
    """The fuzzed target (`--app contract_tests.fuzz:fuzz_app`): the mock at a fixed instant."""
    from mockserver.app import create_app
    from mockserver.config import MockConfig

    return create_app(MockConfig(clock=FUZZ_CLOCK))


class DirectASGI:
    """Sends a request straight into an ASGI app on this thread's own event loop.

    About 1 ms a call where a TestClient-style transport spends 3-5 ms on threads and sessions.
    The request is prepared by `requests`, as Schemathesis's own transports do, and the answer is
    a Schemathesis `Response`, ready for the checks. An exception that escapes the app is a 500,
    as it would be over the network.
    """

    def __init__(self, app: Any) -> None:
        self.app = app
        self.loop = asyncio.new_event_loop()

    def send(self, kwargs: dict[str, Any]) -> Response:
        request = requests.Request(
            kwargs["method"], kwargs["url"], params=kwargs.get("params"), headers=kwargs.get("headers"),
            cookies=kwargs.get("cookies"), data=kwargs.get("data"), json=kwargs.get("json")).prepare()
        started = time.perf_counter()
        status, headers, body = self.loop.run_until_complete(self._call(request))
        return Response(status_code=status, headers=headers, content=body, request=request,
                        elapsed=time.perf_counter() - started, verify=True,
                        message=_reason(status))

    async def _call(self, request: requests.PreparedRequest) -> tuple[int, dict[str, list[str]], bytes]:
        url = urlsplit(str(request.url))
        raw = request.body or b""
        body = raw.encode() if isinstance(raw, str) else raw
        headers = [(k.lower().encode("latin-1"), str(v).encode("latin-1"))
                   for k, v in request.headers.items()]
        scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
            "method": request.method, "scheme": url.scheme, "path": unquote(url.path),
            "raw_path": url.path.encode("latin-1"), "query_string": url.query.encode("latin-1"),
            "root_path": "", "headers": [*headers, (b"host", (url.netloc or "testserver").encode())],
            "client": ("127.0.0.1", 50000), "server": (url.hostname, url.port or 80),
        }
        start: dict[str, Any] = {}
        chunks: list[bytes] = []
        received = False

        async def receive() -> dict[str, Any]:
            nonlocal received
            if not received:
                received = True
                return {"type": "http.request", "body": body, "more_body": False}
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        try:
            await self.app(scope, receive, send)
        except Exception as exc:  # noqa: BLE001 - a crash is what not_a_server_error looks for
            if not start:
                return 500, {"content-type": ["text/plain"]}, f"{type(exc).__name__}: {exc}".encode()
        response_headers: dict[str, list[str]] = {}
        for name, value in start.get("headers", []):
            response_headers.setdefault(name.decode("latin-1").lower(), []).append(value.decode("latin-1"))
        return start.get("status", 500), response_headers, b"".join(chunks)


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


class Fuzzer:
    """One worker's target, schema and client; built once per process."""

    def __init__(self, app: str = "contract_tests.fuzz:fuzz_app") -> None:
        # Always an in-process app, whatever CONTRACT_* variables the shell holds.
        self.run: Run = start(resolve({"app": app, "seed": "42"}, env={}))
        self.app = self.run.target.app
        ops = list(contract.operations(self.run.options.spec))
        self.headers, self.operation_headers = auth_headers(self.run, ops)
        world = self.run.target.world or {}
        self.session_ids = sorted(s["sessionId"] for s in world.get("sessions", []))
        self.transport = DirectASGI(self.app)

    def operation(self, operation_id: str) -> Any:
        """The operation, from a schema configured by the harness for it alone.

        The harness's configuration for one operation, with the operation's entry (its expected
        statuses, its credential) raised to the project level: the same settings, but without
        per-operation entries Schemathesis resolves its configuration on a fast path. With an
        entry for each of the eleven operations, resolving it took a quarter of the CPU time.
        """
        options = self.run.options
        config = schemathesis_config(
            seed=options.seed, max_examples=options.max_examples, headers=self.headers,
            operation_headers=self.operation_headers, rate_limit=None, read_only=False,
            disabled_checks=(), operation_ids=[operation_id])
        (entry,) = config.pop("operations")
        del entry["include-operation-id"]
        for name, check in entry.pop("checks", {}).items():
            config["checks"].setdefault(name, {}).update(check)
        config.update(entry)
        # Our credential is sent on every request as `Authorization`, which the mock reads first;
        # generated `Key`/`AUTHENTICATION` values would only cost a third of the generation time.
        config["generation"]["with-security-parameters"] = False
        return load_schema(self.run, config).find_operation_by_id(operation_id)

    def aim(self, case: Any) -> None:
        """Positive cases go to the event that exists and, mostly, to sessions that exist (a
        generated id would almost always be "not found"). The generated id picks the session,
        so the choice is as deterministic as the generation."""
        aim_at_event(case, self.run.cases.eventurl)
        if not is_positive(case) or not self.session_ids:
            return
        for name in SESSION_PARAMETERS:
            value = (case.path_parameters or {}).get(name)
            if isinstance(value, int):
                index = value % (len(self.session_ids) + 1)
                if index < len(self.session_ids):
                    case.path_parameters[name] = self.session_ids[index]

    def fuzz(self, operation_id: str, examples: dict[str, int]) -> EngineRun:
        from schemathesis.core.failures import FailureGroup
        from schemathesis.generation import GenerationMode
        from schemathesis.specs.openapi.checks import ignored_auth

        started = time.perf_counter()
        report = EngineRun(phases=("fuzz",), max_findings=MAX_FINDINGS)
        report.scenarios[operation_id] = sum(examples.values())
        state = getattr(self.app, "state", None)
        if state is not None:
            state.reset()  # every operation starts from the seeded world
        operation = self.operation(operation_id)
        headers = self.operation_headers.get(operation_id, self.headers)
        # ignored_auth probes the operation without credentials: proving once per operation is
        # enough (the engine does the same), so it is skipped after its first successful probe.
        auth_confirmed = False

        def check_batch(cases: list[Any]) -> None:
            for case in cases:
                check(case)

        def check(case: Any) -> None:
            nonlocal auth_confirmed
            self.aim(case)
            mode = case.meta.generation.mode.value
            response = self.transport.send(
                case.as_transport_kwargs(base_url=self.run.target.api_base, headers=headers))
            report.sent(mode, response.status_code)
            request = response.request
            report.noted(operation.method, str(request.method), response.status_code, response.headers)
            try:
                case.validate_response(response, headers=headers,
                                       transport_kwargs={"headers": headers},
                                       excluded_checks=[ignored_auth] if auth_confirmed else None)
            except FailureGroup as group:
                report.judge(operation=operation_id, declared_method=operation.method,
                             method=str(request.method), url=str(request.url),
                             status=response.status_code, headers=response.headers,
                             failures=[(check_name(f), f) for f in group.exceptions],
                             phase=f"fuzz {mode}", redact=self.run.redactor.text)
            else:
                auth_confirmed = auth_confirmed or 200 <= response.status_code < 300

        for mode_name, count in examples.items():
            mode = GenerationMode(mode_name)
            # A positive case's event is the one that exists (aim_at_event would overwrite it):
            # not generating it saves a regex draw per case.
            fixed = ({"eventurl": self.run.cases.eventurl}
                     if mode is GenerationMode.POSITIVE and self.run.cases.eventurl
                     and "eventurl" in operation.path_parameters else None)
            strategy = operation.as_strategy(generation_mode=mode, path_parameters=fixed)
            batch = BATCH[mode_name]
            test = settings(
                max_examples=-(-count // batch), derandomize=True, database=None, deadline=None,
                phases=[Phase.generate],  # nothing to shrink: failures are collected, not raised
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                       HealthCheck.data_too_large, HealthCheck.large_base_example],
            )(given(cases=st.lists(strategy, min_size=batch, max_size=batch))(check_batch))
            test()
        report.seconds = round(time.perf_counter() - started, 2)
        return report


_FUZZER: Fuzzer | None = None


def fuzz_operation(operation_id: str, examples: dict[str, int]) -> EngineRun:
    """Fuzz one operation (in a worker process: the module-level entry point pickles by name)."""
    global _FUZZER
    if _FUZZER is None:
        _FUZZER = Fuzzer()
    return _FUZZER.fuzz(operation_id, examples)
