"""The mock as a library: a handle with a Python API over the same controls as /__mock/.

    mock = MockHandle.start(seed=42)
    mock.client.get("/events/mock-event/session", headers={"Authorization": mock.tokens["attendee"]})
    mock.clock.advance(minutes=90)
    with mock.scenario("capacity-reached"):
        ...
"""

from __future__ import annotations

import contextlib
import threading
import time
import warnings
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import uvicorn

from fixtures import cases
from mockserver.app import create_app
from mockserver.config import MockConfig
from mockserver.control.routes import world_summary
from mockserver.spec import BASE_PATH
from mockserver.state import MockState

with warnings.catch_warnings():  # starlette warns that httpx will be replaced by httpx2
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

IN_PROCESS_BASE_URL = "http://accelevents.mock" + BASE_PATH


class Clock:
    """The mock clock: `now()`, `set(datetime)`, `advance(minutes=...)`."""

    def __init__(self, state: MockState) -> None:
        self._state = state

    def now(self) -> datetime:
        return self._state.clock.now()

    def set(self, moment: datetime, *, freeze: bool | None = None) -> None:
        self._state.clock.set(moment, freeze=freeze)

    def advance(self, **delta: float) -> None:
        self._state.clock.advance(timedelta(**delta))


class MockHandle:
    """One mock: its ASGI app, an httpx client pointed at its API, and its controls."""

    def __init__(self, app) -> None:
        self.app = app
        self.state: MockState = app.state
        self.clock = Clock(self.state)
        self.client = self._new_client()

    def _new_client(self) -> TestClient:
        # Relative URLs go to the API: client.get("/events/mock-event/session")
        return TestClient(self.app, base_url=IN_PROCESS_BASE_URL, raise_server_exceptions=False)

    @classmethod
    def start(cls, **config: Any) -> MockHandle:
        return cls(create_app(MockConfig(**config)))

    def restart(self, **config: Any) -> None:
        """Become what `MockHandle.start(**config)` would give, in a few milliseconds: the
        same app over a state started anew (the immutable world kept when it would be built
        the same), and a new client (no cookies or headers left by an earlier user)."""
        self.client.close()
        self.state.restart(MockConfig(**config))
        self.client = self._new_client()

    # -- the world ---------------------------------------------------------------------------
    @property
    def world(self) -> dict:
        return world_summary(self.state)

    @property
    def tokens(self) -> dict[str, str]:
        return {**cases.TOKENS, "unknown": cases.UNKNOWN_TOKEN}

    @property
    def cases(self) -> dict:
        return dict(self.state.world.cases)

    @property
    def eventurl(self) -> str:
        return next(iter(self.state.world.events))  # the main event (first built)

    def headers(self, role: str = "attendee") -> dict[str, str]:
        return {"Authorization": self.tokens[role]}

    # -- steering ----------------------------------------------------------------------------
    def reset(self, seed: int | None = None, sessions: int | None = None) -> None:
        self.state.force(None)
        self.state.reset(seed, sessions)

    def force(self, scenario: str, calls: int = 1) -> None:
        """Force `scenario` on the next `calls` calls it applies to (any client)."""
        self.state.force(scenario, calls)

    @contextlib.contextmanager
    def scenario(self, name: str) -> Iterator[None]:
        """Force `name` on every call it applies to inside the block."""
        self.state.force(name)
        try:
            yield
        finally:
            self.state.force(None)

    def journal(self) -> list[dict]:
        return self.state.journal.entries()

    def close(self) -> None:
        self.client.close()


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
