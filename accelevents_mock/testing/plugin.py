"""pytest plugin (entry point `pytest11`): the Accelevents mock as fixtures for any project.

    def test_lists_sessions(accelevents_mock):
        r = accelevents_mock.client.get("/events/mock-event/session",
                                        headers=accelevents_mock.headers("attendee"))

Fixtures:
- `accelevents_mock`: the mock in process, a `MockHandle` (httpx client, world, tokens, clock,
  scenarios, reset, journal). Fresh per test; `--accelevents-scope=module` shares one per module
  (reset between tests).
- `accelevents_mock_url`: the same mock served over HTTP on a free port; the API's base URL.

Choose the world with `--accelevents-seed N` / `--accelevents-sessions N`, or per test with
`@pytest.mark.accelevents(seed=7, sessions=100)`.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from datetime import UTC, datetime
from types import ModuleType
from typing import TYPE_CHECKING, Literal

import pytest

from accelevents_mock.world.defaults import DEFAULT_SEED, DEFAULT_SESSIONS

if TYPE_CHECKING:
    from accelevents_mock.testing.handle import MockHandle


def _testing() -> ModuleType:
    """`accelevents_mock.testing.handle` (Connexion, Starlette, the app), imported when a test first asks
    for the mock: a pytest run that never does stays as light as without this plugin."""
    with warnings.catch_warnings():  # connexion's import warns about starlette's test client
        warnings.simplefilter("ignore")
        from accelevents_mock.testing import handle as testing
    return testing

MARKER = "accelevents"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("accelevents", "Accelevents API mock")
    group.addoption("--accelevents-seed", type=int, default=DEFAULT_SEED,
                    help=f"world seed (default {DEFAULT_SEED})")
    group.addoption("--accelevents-sessions", type=int, default=DEFAULT_SESSIONS,
                    help=f"sessions in the world (default {DEFAULT_SESSIONS})")
    group.addoption("--accelevents-scope", choices=("function", "module"), default="function",
                    help="a fresh mock per test (default) or one per module, reset between tests")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{MARKER}(seed=None, sessions=None): the mock's world")


def _world_for(request: pytest.FixtureRequest) -> dict:
    marker = request.node.get_closest_marker(MARKER)
    options = request.config.option
    chosen = {"seed": options.accelevents_seed, "sessions": options.accelevents_sessions}
    if marker:
        chosen.update({k: v for k, v in marker.kwargs.items() if v is not None})
    return chosen


Scope = Literal["session", "package", "module", "class", "function"]


def _scope(fixture_name: str, config: pytest.Config) -> Scope:
    scope: Scope = config.getoption("accelevents_scope")
    return scope


@pytest.fixture(scope="session")
def _accelevents_reusable() -> Iterator[list[MockHandle]]:
    """The one mock of this test process (each pytest-xdist worker is a process of its own)
    that a fresh mock per test restarts: building the app and the world again for every test
    would cost a quarter of a second each, restarting costs milliseconds."""
    kept: list[MockHandle] = []
    yield kept
    for handle in kept:
        handle.close()


@pytest.fixture(scope=_scope)
def _accelevents_shared(request: pytest.FixtureRequest,
                        _accelevents_reusable: list[MockHandle]) -> Iterator[MockHandle]:
    if request.scope == "function":
        if _accelevents_reusable:
            _accelevents_reusable[0].restart(**_world_for(request))
        else:
            _accelevents_reusable.append(_testing().MockHandle.start(**_world_for(request)))
        yield _accelevents_reusable[0]
        return
    handle = _testing().MockHandle.start(**_world_for(request))
    yield handle
    handle.close()


@pytest.fixture
def accelevents_mock(_accelevents_shared: MockHandle,
                     request: pytest.FixtureRequest) -> MockHandle:
    handle = _accelevents_shared
    if request.config.getoption("accelevents_scope") != "function":
        handle.clock.set(datetime.now(UTC), freeze=False)  # what earlier tests moved comes back
        handle.reset(**_world_for(request))
    return handle


@pytest.fixture
def accelevents_mock_url(accelevents_mock: MockHandle) -> Iterator[str]:
    with _testing().LiveServer(accelevents_mock) as server:
        yield server.url
