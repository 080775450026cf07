"""The mock as a library: a handle with a Python API over the same controls as /__mock/.

    mock = MockHandle.start(seed=42)
    mock.client.get("/events/mock-event/session", headers={"Authorization": mock.tokens["attendee"]})
    mock.clock.advance(minutes=90)
    with mock.scenario("capacity-reached"):
        ...
"""

from __future__ import annotations

import atexit
import contextlib
import os
import queue
import threading
import time
import warnings
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import anyio
import uvicorn
from anyio.from_thread import BlockingPortal
from starlette.types import ASGIApp

from accelevents_mock.app import MockApp, create_app
from accelevents_mock.config import MockConfig
from accelevents_mock.contract import cases
from accelevents_mock.contract.spec import BASE_PATH
from accelevents_mock.control.views import WorldSummary, world_summary
from accelevents_mock.runtime.state import MockState
from accelevents_mock.store.journal import JournalEntry

with warnings.catch_warnings():  # starlette warns that httpx will be replaced by httpx2
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

IN_PROCESS_ROOT = "http://accelevents.mock"
IN_PROCESS_BASE_URL = IN_PROCESS_ROOT + BASE_PATH


# process id -> the event loop of its in-process mocks, and the thread that runs it
_portals: dict[int, tuple[BlockingPortal, threading.Thread]] = {}
_portals_lock = threading.Lock()


def _portal() -> BlockingPortal:
    """One event loop, in a daemon thread, that runs every in-process mock's requests.
    Starlette's TestClient otherwise starts a thread and an event loop for each request, which
    took over half of a plain request's time. A daemon thread never holds the interpreter at
    exit (`_stop_portal` ends it cleanly then), and a forked process starts its own."""
    with _portals_lock:
        if os.getpid() not in _portals:
            ready: queue.Queue[BlockingPortal] = queue.Queue()

            async def serve() -> None:
                async with BlockingPortal() as running:
                    ready.put(running)
                    await running.sleep_until_stopped()

            thread = threading.Thread(target=anyio.run, args=(serve,), name="accelevents-mock",
                                      daemon=True)
            thread.start()
            _portals[os.getpid()] = ready.get(), thread
            atexit.register(_stop_portal)
        return _portals[os.getpid()][0]


def _stop_portal() -> None:
    """At exit: end this process's loop the way asyncio.run ends one, so what lives on it (a
    proxy's pooled connections) is closed, not left to warn; never waits long."""
    kept = _portals.pop(os.getpid(), None)
    if kept is None:
        return
    portal, thread = kept
    with contextlib.suppress(Exception):
        portal.call(portal.stop)
    thread.join(timeout=5)


def in_process_client(app: ASGIApp, base_url: str) -> TestClient:
    """A TestClient of `app` whose requests all run on this process's one mock event loop."""
    client = TestClient(app, base_url=base_url, raise_server_exceptions=False)
    client.portal = _portal()  # used for each request instead of a new portal (TestClient)
    return client


class Control:
    """The mock's control API (`/__mock`), in process. Every change goes through it, so it is
    one atomic step that reaches every worker when the mock shares its world through Redis."""

    def __init__(self, app: ASGIApp) -> None:
        self._client = in_process_client(app, IN_PROCESS_ROOT)

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        response = self._client.request(method, "/__mock" + path, json=body)
        if response.status_code != 200:
            raise RuntimeError(f"{method} /__mock{path}: {response.status_code} {response.text[:300]}")
        return response.json()

    def close(self) -> None:
        self._client.close()


class Clock:
    """The mock clock: `now()`, `set(datetime)`, `advance(minutes=...)`."""

    def __init__(self, state: MockState, control: Control) -> None:
        self._state, self._control = state, control

    def now(self) -> datetime:
        return self._state.clock.now()

    def set(self, moment: datetime, *, freeze: bool | None = None) -> None:
        body: dict[str, Any] = {"now": moment.isoformat()}
        if freeze is not None:
            body["frozen"] = freeze
        self._control.call("PUT", "/clock", body)

    def advance(self, **delta: float) -> None:
        self._control.call("PUT", "/clock",
                           {"advanceMinutes": timedelta(**delta).total_seconds() / 60})


class MockHandle:
    """One mock: its ASGI app, an httpx client pointed at its API, and its controls."""

    def __init__(self, app: MockApp) -> None:
        self.app = app
        self.state: MockState = app.state
        self.control = Control(app)
        self.clock = Clock(self.state, self.control)
        self.client = self._new_client()

    def _new_client(self) -> TestClient:
        # Relative URLs go to the API: client.get("/events/mock-event/session")
        return in_process_client(self.app, IN_PROCESS_BASE_URL)

    @classmethod
    def start(cls, **config: Any) -> MockHandle:
        """A mock built from MockConfig's fields (seed=, sessions=, clock=...)."""
        return cls(create_app(MockConfig(**config)))

    def restart(self, **config: Any) -> None:
        """Become what `MockHandle.start(**config)` would give, in a few milliseconds: the
        same app over a state started anew (the immutable world kept when it would be built
        the same), and a new client (no cookies or headers left by an earlier user)."""
        self.client.close()
        self.state.restart(MockConfig(**config))  # refused for a mock on a shared store
        self.client = self._new_client()

    # -- the world ---------------------------------------------------------------------------
    @property
    def world(self) -> WorldSummary:
        return world_summary(self.state)

    @property
    def tokens(self) -> dict[str, str]:
        return {**cases.TOKENS, "unknown": cases.UNKNOWN_TOKEN}

    @property
    def cases(self) -> dict[str, Any]:
        return dict(self.state.world.cases)

    @property
    def eventurl(self) -> str:
        return next(iter(self.state.world.events))  # the main event (first built)

    def headers(self, role: str = "attendee") -> dict[str, str]:
        return {"Authorization": self.tokens[role]}

    # -- steering ----------------------------------------------------------------------------
    def reset(self, seed: int | None = None, sessions: int | None = None) -> None:
        """The world as built (from `seed` and size, if given), no change kept, nothing forced."""
        self.control.call("PUT", "/scenario", {"scenario": None})
        world = {key: value for key, value in (("seed", seed), ("sessions", sessions))
                 if value is not None}
        self.control.call("POST", "/reset", world)

    def force(self, scenario: str, calls: int = 1) -> None:
        """Force `scenario` on the next `calls` calls it applies to (any client)."""
        self.control.call("PUT", "/scenario", {"scenario": scenario, "calls": calls})

    @contextlib.contextmanager
    def scenario(self, name: str) -> Iterator[None]:
        """Force `name` on every call it applies to inside the block."""
        self.control.call("PUT", "/scenario", {"scenario": name})
        try:
            yield
        finally:
            self.control.call("PUT", "/scenario", {"scenario": None})

    def journal(self) -> list[JournalEntry]:
        entries: list[JournalEntry] = self.control.call("GET", "/journal")["entries"]
        return entries

    def close(self) -> None:
        self.client.close()
        self.control.close()


class LiveServer:
    """The same mock served over real HTTP on a free port, in a background thread."""

    def __init__(self, handle: MockHandle, host: str = "127.0.0.1") -> None:
        self.handle = handle
        config = uvicorn.Config(handle.app, host=host, port=0, log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the mock's live server did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)

    @property
    def base_url(self) -> str:
        host, port = self._server.servers[0].sockets[0].getsockname()[:2]
        return f"http://{host}:{port}"

    @property
    def url(self) -> str:
        """The API's base URL, like https://api.accelevents.com/rest."""
        return self.base_url + BASE_PATH
