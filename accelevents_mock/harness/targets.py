"""What is being tested: the in-process mock (or another ASGI app), or a live deployment; the
clients that talk to it; and the named cases (which session is full, which token has no ticket)
that the scenario tests drive it with."""

from __future__ import annotations

import importlib
import inspect
import os
import re
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

import httpx
import yaml

from accelevents_mock.contract import catalogue
from accelevents_mock.contract import spec as contract
from accelevents_mock.contract.cases import MISSING_SESSION, Cases, Role, SessionCase, cases_from_world
from accelevents_mock.contract.catalogue import Transport
from accelevents_mock.control import admin_token
from accelevents_mock.harness.checks import MAX_RETRY_WAIT, UNAVAILABLE, retry_after
from accelevents_mock.harness.options import Options
from accelevents_mock.safety.throttle import Throttle, UnsafeRequest

IN_PROCESS_ROOT = "http://testserver"


def load_app(spec: str | None) -> Any:
    """`module:callable` (or `module:attribute`) -> ASGI app; default: a fresh mock."""
    if not spec:
        from accelevents_mock.app import create_app

        return create_app()
    module_name, _, attr = spec.partition(":")
    obj = getattr(importlib.import_module(module_name), attr or "app")
    # A factory (no parameters) is called so each run gets a fresh world; an ASGI app takes three.
    if inspect.isfunction(obj) and not inspect.signature(obj).parameters:
        return obj()
    return obj


@dataclass
class Target:
    options: Options
    api_base: str  # e.g. http://testserver/rest
    root: str  # where /__mock lives on our mock
    base_path: str  # /rest
    app: Any | None = None  # ASGI app when in process
    world: dict | None = None  # GET /__mock/world when the target is our mock
    # Our mock asked for its admin token: only then is $ACCELEVENTS_MOCK_ADMIN_TOKEN sent, so
    # the token never goes to a target that is not our mock (staging, say).
    asks_admin_token: bool = False

    @property
    def name(self) -> str:
        return self.options.base_url or f"in-process {self.options.app or 'mock'}"

    @property
    def is_mock(self) -> bool:
        return self.world is not None

    def raw_client(self, base_url: str | None = None) -> httpx.Client:
        base_url = base_url or self.api_base
        if self.app is not None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # starlette's httpx deprecation notice
                from starlette.testclient import TestClient
            # A crash in a broken app must come back as a 500, as it would over the network.
            return TestClient(self.app, base_url=base_url, raise_server_exceptions=False)
        return httpx.Client(base_url=base_url, timeout=15.0, follow_redirects=False)

    def control_client(self) -> httpx.Client:
        """Our mock's /__mock, with its admin token from $ACCELEVENTS_MOCK_ADMIN_TOKEN when it
        asked for one: beyond loopback (in a container, say) the control API does."""
        client = self.raw_client(self.root)
        token = admin_token.given_token()
        if token and self.asks_admin_token:
            client.headers[admin_token.ADMIN_HEADER] = token
        return client

    def client(self, *, traffic: Any, throttle: Throttle, source: str,
               allow_writes: bool | None = None) -> httpx.Client:
        """A client that is paced, budgeted, write-guarded and recorded."""
        writes = self.options.allow_writes if allow_writes is None else allow_writes
        client = self.raw_client()

        def before(request: httpx.Request) -> None:
            if not writes and request.method not in contract.SAFE_METHODS:
                raise UnsafeRequest(f"{request.method} {request.url.path} refused: the target is "
                                    "read-only for this run (pass --allow-writes)")
            throttle.acquire()

        def after(response: httpx.Response) -> None:
            response.read()
            traffic.record_httpx(response, source)

        client.event_hooks = {"request": [before], "response": [after]}
        client._transport = RetryUnavailable(client._transport, throttle)
        return client


MAX_TRIES = 3  # of one request that a proxy answers "unavailable"


class Answer(Protocol):
    """What `send_until_available` reads of a response (httpx's and Schemathesis' have it)."""

    @property
    def status_code(self) -> int: ...

    @property
    def headers(self) -> Any: ...


R = TypeVar("R", bound=Answer)


def send_until_available(send: Callable[[], R], throttle: Throttle,
                         discard: Callable[[R], object] = lambda response: None) -> R:
    """Sends, and sends again after the wait it asks for when a proxy answers 502/503/504 with
    Retry-After (the target is away for a moment), while the request budget lasts. Any other
    answer, and the last one after MAX_TRIES, goes back as it came."""
    for _ in range(MAX_TRIES - 1):
        response = send()
        wait = retry_after(response.headers) if response.status_code in UNAVAILABLE else None
        if wait is None or throttle.exhausted:
            return response
        discard(response)
        time.sleep(min(wait, MAX_RETRY_WAIT))
        throttle.acquire()  # a resend counts against the budget
    return send()


class RetryUnavailable(httpx.BaseTransport):
    """The scenario, drift and cleanup client's transport: `send_until_available`."""

    def __init__(self, inner: httpx.BaseTransport, throttle: Throttle) -> None:
        self.inner, self.throttle = inner, throttle

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return send_until_available(lambda: self.inner.handle_request(request), self.throttle,
                                    discard=lambda response: response.close())

    def close(self) -> None:
        self.inner.close()


def open_target(options: Options) -> Target:
    spec = contract.load(options.spec)
    base_path = contract.base_path(spec)
    if options.in_process:
        target = Target(options, IN_PROCESS_ROOT + base_path, IN_PROCESS_ROOT, base_path,
                        app=load_app(options.app))
    else:
        api_base = options.base_url or ""
        root = api_base[: -len(base_path)] if base_path and api_base.endswith(base_path) else api_base
        target = Target(options, api_base, root, base_path)
    target.world = _mock_world(target)
    return target


def _mock_world(target: Target) -> dict | None:
    """Our mock describes itself at /__mock/world; anything else does not. Asked first without
    the admin token: it is sent only once the answer is our mock's own refusal for want of it."""
    try:
        response = _world(target)
        if _asks_admin_token(response) and admin_token.given_token():
            target.asks_admin_token = True
            response = _world(target)
        body = response.json() if response.status_code == 200 else None
    except (httpx.HTTPError, ValueError):
        return None
    return body if isinstance(body, dict) and "cases" in body else None


def _world(target: Target) -> httpx.Response:
    with target.control_client() as client:
        return client.get("/__mock/world")


def _asks_admin_token(response: httpx.Response) -> bool:
    refusal = catalogue.transport(Transport.ADMIN_TOKEN_REQUIRED)
    try:
        body = response.json()
    except ValueError:
        return False
    return (response.status_code == refusal.status and isinstance(body, dict)
            and body.get("errorCode") == refusal.code
            and body.get("errorMessage") == refusal.message)


_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def _expand(value: Any) -> Any:
    """`${NAME}` in the target config reads an environment variable (keeps tokens out of files)."""
    if isinstance(value, str):
        expanded = _ENV_REF.sub(lambda m: os.environ.get(m.group(1), ""), value)
        return expanded or None
    return value


def cases_from_config(path: Path) -> Cases:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    sessions = {case: _expand((data.get("sessions") or {}).get(case)) for case in SessionCase}
    tokens = {role: _expand((data.get("tokens") or {}).get(role)) for role in Role}
    return Cases(
        f"target config {Path(path).name}", _expand(data.get("eventurl")),
        missing_eventurl=str(data.get("missing_eventurl") or "accelevents-mock-no-such-event"),
        missing_session=int(data.get("missing_session") or MISSING_SESSION),
        sessions={k: int(v) if v is not None else None for k, v in sessions.items()},
        tokens=tokens, sessions_permitted=data.get("sessions_permitted"))


def resolve_cases(target: Target) -> Cases:
    """Named cases: the target config if given, else the mock's world, else only the options."""
    options = target.options
    if options.target_config:
        cases = cases_from_config(options.target_config)
    elif target.world is not None:
        cases = cases_from_world(target.world)
    else:
        cases = Cases("options only (no --target-config)")
    # Explicit options win over what the config or the world says.
    overrides: dict[str, Callable[[Cases], None]] = {
        "event_url": lambda c: setattr(c, "eventurl", options.event_url),
        "token": lambda c: c.tokens.__setitem__(Role.ATTENDEE, options.token),
        "host_token": lambda c: c.tokens.__setitem__(Role.HOST, options.host_token),
    }
    for dest, apply in overrides.items():
        if getattr(options, dest):
            apply(cases)
    # An unknown token is by definition not a credential, so it is always available.
    cases.tokens[Role.UNKNOWN] = cases.tokens.get(Role.UNKNOWN) or "accelevents-mock-unknown-token"
    return cases
