"""Property-based and stateful runs through the Schemathesis engine (what `st run` drives), with
the harness's safety rules and recording hooked into every call it makes."""

from __future__ import annotations

import contextlib
import threading
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import schemathesis
from schemathesis import engine
from schemathesis.config import SchemathesisConfig
from schemathesis.transport.requests import REQUESTS_TRANSPORT

from accelevents_mock.contract import spec as contract
from accelevents_mock.contract.cases import Role
from accelevents_mock.harness.checks import MAX_RETRY_WAIT, retry_after, schemathesis_config
from accelevents_mock.harness.results import EngineRun, Finding
from accelevents_mock.harness.targets import send_until_available
from accelevents_mock.harness.tokens import sent_token
from accelevents_mock.safety.throttle import BudgetExhausted, Throttle, UnsafeRequest

if TYPE_CHECKING:
    from accelevents_mock.harness.run import Run

PROPERTY_PHASES = ("examples", "coverage", "fuzzing")
STATEFUL_PHASES = ("stateful",)


# Schemathesis allows call hooks only globally; each run registers its guard under its schema.
_GUARDS: dict[int, _Guard] = {}
_HOOKS_LOCK = threading.Lock()
_hooks_registered = False


@dataclass
class _Guard:
    run: Run
    source: str
    result: EngineRun
    resume_at: float = 0.0  # monotonic time before which the target asked not to be called
    per_request_token: bool = False  # the attendee token may be refreshed (--token-command)
    session_ids: tuple[int, ...] = ()  # sessions that exist on the target, for aim_at_session
    labels: dict[str, str] = field(default_factory=dict)  # 'GET /path' -> operationId


def _register_hooks() -> None:
    global _hooks_registered
    with _HOOKS_LOCK:
        if _hooks_registered:
            return
        _hooks_registered = True

    @schemathesis.hook
    def before_call(context: Any, case: Any, kwargs: dict) -> None:
        guard = _GUARDS.get(id(case.operation.schema.raw_schema))
        if guard is None:
            return
        method = case.method.upper()
        if not guard.run.options.allow_writes and method not in contract.SAFE_METHODS:
            raise UnsafeRequest(f"{method} {case.formatted_path} refused: the target is read-only")
        reason = guard.run.target.irreversible(guard.labels.get(case.operation.label))
        if reason:
            raise UnsafeRequest(f"{method} {case.formatted_path} refused: {reason}")
        # A target that answered "unavailable" with Retry-After gets that long before the next call.
        wait = guard.resume_at - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        # Schemathesis paces its own requests (rate-limit config); the budget is ours.
        guard.run.throttle.acquire(pace=False)

    @schemathesis.hook
    def after_call(context: Any, case: Any, response: Any) -> None:
        guard = _GUARDS.get(id(case.operation.schema.raw_schema))
        if guard is None:
            return
        request = response.request
        operation = guard.labels.get(case.operation.label)
        mode = case.meta.generation.mode.value if case.meta is not None else ""
        guard.result.sent(mode, response.status_code, operation)
        note = guard.result.noted(case.operation.method, str(request.method), response.status_code,
                                  response.headers)
        if note is not None:
            wait = retry_after(response.headers)
            if wait is not None:
                guard.resume_at = time.monotonic() + min(wait, MAX_RETRY_WAIT)
        guard.run.answered(sent_token(request.headers), request.method, _path(request.url),
                           response.status_code, dict(request.headers), operation)
        guard.run.traffic.record_schemathesis(response, guard.source)

    @schemathesis.hook
    def map_case(context: Any, case: Any) -> Any:
        guard = _GUARDS.get(id(case.operation.schema.raw_schema))
        aim_at_event(case, guard.run.cases.eventurl if guard is not None else None)
        aim_at_session(case, guard.session_ids if guard is not None else ())
        # With --token-command the attendee's credential is set on each generated case (not in
        # the config's headers, which Schemathesis caches), so a refreshed token is sent from then
        # on.
        if guard is not None and guard.per_request_token and "Authorization" not in (case.headers or {}):
            token = guard.run.tokens.current
            if token:
                case.headers = {**(case.headers or {}), "Authorization": token}
                # Configured, not generated: what ignored_auth must treat as a real credential
                # (Schemathesis's own auth providers mark their cases the same way).
                case._has_explicit_auth = True
        return case


def is_positive(case: Any) -> bool:
    meta = case.meta
    return meta is not None and meta.generation.mode.value == "positive"


def aim_at_event(case: Any, eventurl: str | None) -> None:
    """Aim a schema-valid request at the event that exists, so it reaches the session rules
    instead of ending in "event not found". Negative cases keep their generated value:
    replacing it would make a deliberately invalid request valid behind the check's back."""
    if eventurl and is_positive(case) and "eventurl" in (case.path_parameters or {}):
        case.path_parameters["eventurl"] = eventurl


SESSION_PARAMETERS = ("sessionId", "id")


def aim_at_session(case: Any, session_ids: tuple[int, ...]) -> None:
    """Aim most schema-valid requests at sessions that exist: a generated id is almost always
    "not found", and the rules (and the session body) lie behind it. The generated id picks the
    session, so the choice is as deterministic as the generation; one value in len+1 keeps its
    generated id. Stateful steps keep theirs: a link or the engine's resource pool chose it."""
    if not session_ids or not is_positive(case) or case.meta.phase.name == "stateful":
        return
    for name in SESSION_PARAMETERS:
        value = (case.path_parameters or {}).get(name)
        if isinstance(value, int):
            index = value % (len(session_ids) + 1)
            if index < len(session_ids):
                case.path_parameters[name] = session_ids[index]


def known_sessions(run: Run) -> tuple[int, ...]:
    """The sessions the target holds: every one of our mock's world, else the named cases'."""
    world = run.target.world or {}
    ids = {s["sessionId"] for s in world.get("sessions", []) if isinstance(s.get("sessionId"), int)}
    ids |= {sid for sid in run.cases.sessions.values() if sid is not None}
    return tuple(sorted(ids))


def auth_headers(run: Run, operation_ids: list[str]) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """The attendee's credential for every operation, and the host's for the host operations."""
    cases, ops = run.cases, contract.operations(run.options.spec)
    attendee, host = cases.token(Role.ATTENDEE), cases.token(Role.HOST)
    headers = {"Authorization": attendee} if attendee else {}
    host_ops = [op for op in operation_ids if ops[op].path.startswith("/host/")]
    return headers, {op: {"Authorization": host} for op in host_ops} if host else {}


def _path(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).path


def load_schema(run: Run, config: dict[str, Any]) -> Any:
    """The contract as a Schemathesis schema, pointed at the run's target."""
    raw = contract.load(run.options.spec)
    sconfig = SchemathesisConfig.from_dict(config)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        schema = schemathesis.openapi.from_dict(_copy(raw), config=sconfig)
    if run.target.app is not None:
        schema.app = run.target.app
        schema.config.update(base_url=run.target.api_base)
    else:
        schema.config.update(base_url=run.target.api_base)
    return schema


def _copy(raw: dict) -> dict:
    import copy

    return copy.deepcopy(raw)


@contextlib.contextmanager
def resending_unavailable(throttle: Throttle) -> Iterator[None]:
    """While an engine run talks to a live target, its HTTP transport sends a request again when
    a proxy answers "unavailable" (`targets.send_until_available`, as the scenario client does).
    Schemathesis hands its `requests` session to that one transport object outside every hook,
    so the object's `send` is wrapped for the run and unwrapped after it."""
    transport = REQUESTS_TRANSPORT
    if "send" in vars(transport):  # an outer run wrapped it already
        yield
        return
    send = transport.send

    def send_again_if_unavailable(case: Any, **kwargs: Any) -> Any:
        return send_until_available(lambda: send(case, **kwargs), throttle)

    transport.send = send_again_if_unavailable  # type: ignore[method-assign]
    try:
        yield
    finally:
        del transport.send


def run_engine(run: Run, *, phases: tuple[str, ...] = PROPERTY_PHASES,
               operation_ids: list[str] | None = None, disabled_checks: tuple[str, ...] = (),
               max_examples: int | None = None, source: str = "property",
               generation: dict[str, Any] | None = None, max_findings: int | None = None,
               continue_on_failure: bool = False) -> EngineRun:
    """Run Schemathesis phases over the chosen operations (default: all the run may touch).
    `generation` adds to the config's generation section (e.g. `{"mode": "negative"}`);
    `continue_on_failure` sends every case even after a failed check (each one is judged)."""
    _register_hooks()
    options = run.options
    ops = contract.operations(options.spec)
    wanted = operation_ids or list(ops)
    if not options.allow_writes:
        wanted = [op for op in wanted if ops[op].safe]
    wanted = [op for op in wanted if not run.target.irreversible(op)]
    headers, operation_headers = auth_headers(run, wanted)
    per_request_token = bool(options.token_command)
    if per_request_token:
        headers.pop("Authorization", None)  # set by before_call, see there
    config = schemathesis_config(
        seed=options.seed, max_examples=max_examples or options.max_examples, headers=headers,
        operation_headers=operation_headers,
        rate_limit=options.rate_limit, read_only=not options.allow_writes,
        disabled_checks=disabled_checks, operation_ids=wanted)
    config["generation"].update(generation or {})
    if continue_on_failure:
        config["continue-on-failure"] = True
    schema = load_schema(run, config)
    unwanted = [op for op in ops if op not in wanted]
    if unwanted:
        # Excluded, not included: the config's per-operation entries already put an include filter
        # on the schema that matches every operation, and include filters are OR-ed.
        schema = schema.exclude(operation_id=unwanted)
    schema.config.phases.update(phases=list(phases))
    result = EngineRun(phases=phases, max_findings=max_findings)
    key = id(schema.raw_schema)
    labels = contract.by_label(options.spec)
    _GUARDS[key] = _Guard(run, source, result, per_request_token=per_request_token,
                          session_ids=known_sessions(run), labels=labels)
    started = time.perf_counter()
    in_process = run.target.app is not None  # Schemathesis' ASGI transport: no proxy between
    try:
        with contextlib.nullcontext() if in_process else resending_unavailable(run.throttle):
            stream = engine.from_schema(schema).execute()
            for event in stream:
                _collect(event, result, labels, run)
                if run.throttle.exhausted and result.stopped is None:
                    result.stopped = f"request budget of {run.throttle.budget} used up"
                    stream.stop()
    finally:
        _GUARDS.pop(key, None)
    result.seconds = round(time.perf_counter() - started, 2)
    run.engine_runs.append(result)
    return result


def _collect(event: Any, result: EngineRun, labels: dict[str, str], run: Run) -> None:
    name = type(event).__name__
    redact = run.redactor.text
    if name == "ScenarioFinished":
        recorder = event.recorder
        phase = str(getattr(event.phase, "value", event.phase))
        result.scenarios[labels.get(recorder.label, recorder.label)] += 1
        for case_id, checks in recorder.checks.items():
            failed = [(check.name, check.failure_info.failure) for check in checks
                      if check.status.name == "FAILURE" and check.failure_info is not None]
            if not failed:
                continue
            node = recorder.cases.get(case_id)
            case = node.value if node is not None else None
            label = case.operation.label if case is not None else recorder.label
            interaction = recorder.interactions.get(case_id)
            answer = interaction.response if interaction is not None else None
            method = interaction.request.method if interaction is not None else label
            result.judge(
                operation=labels.get(label, label),
                declared_method=case.operation.method if case is not None else method,
                method=method, url=interaction.request.uri if interaction is not None else "",
                status=answer.status_code if answer is not None else None,
                headers=answer.headers if answer is not None else {},
                failures=failed, phase=phase, redact=redact)
    elif name in ("NonFatalError", "FatalError"):
        exc = getattr(event, "value", None) or getattr(event, "exception", None)
        label = getattr(event, "label", None) or "engine"
        text = redact(f"{type(exc).__name__}: {exc}")
        kind = ("budget" if isinstance(exc, BudgetExhausted) or BudgetExhausted.__name__ in text
                else "unsafe-request" if isinstance(exc, UnsafeRequest) else "error")
        result.findings.append(Finding(
            operation=labels.get(label, label), check=kind, title=type(exc).__name__,
            message=text[:2000], request=label, status=None,
            phase=str(getattr(getattr(event, "phase", None), "value", ""))))
