"""The pytest plugin as another project uses it: examples/calendar_app runs in its own pytest
process with nothing but the installed package."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "calendar_app"


def run_example(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pytest", "-q", *args], cwd=EXAMPLE,
                          capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("scope", ["function", "module"])
def test_example_project_passes_with_only_the_plugin(scope: str) -> None:
    result = run_example(f"--accelevents-scope={scope}")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "6 passed" in result.stdout


def test_seed_option_reaches_the_fixture(tmp_path) -> None:
    (tmp_path / "test_seed.py").write_text(
        "def test_seed(accelevents_mock):\n    assert accelevents_mock.world['seed'] == 5\n")
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                             "--accelevents-seed=5", str(tmp_path)],
                            capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_plugin_is_registered_through_its_entry_point() -> None:
    from importlib.metadata import entry_points

    names = {ep.name: ep.value for ep in entry_points(group="pytest11")}
    assert names.get("accelevents_mock") == "accelevents_mock.testing.plugin"


# Each test leaves every kind of change behind; the next one must find none of them (issue 17:
# the mock is restarted in place per test, not rebuilt).
ISOLATION_TESTS = '''
from datetime import UTC, datetime

import pytest

REGISTERED = "/events/mock-event/user-session/registered"


def change_everything(mock):
    session_id = mock.cases["open_session"]
    assert mock.client.post(f"/events/mock-event/session/{session_id}/register",
                            headers=mock.headers()).status_code == 200
    mock.clock.advance(minutes=600)
    mock.state.controls.faults["*"] = "timeout"
    mock.state.controls.latency_ms = (1, 2)
    mock.client.cookies.set("mock_scenario", "capacity-reached")
    mock.client.headers["X-Mock-Scenario"] = "capacity-reached"
    mock.force("not-authorized", calls=5)


def assert_fresh(mock, seed):
    assert mock.world["seed"] == seed
    assert abs((mock.clock.now() - datetime.now(UTC)).total_seconds()) < 60
    controls = mock.state.controls
    assert (controls.scenario, controls.faults, controls.latency_ms) == (None, {}, (0, 0))
    assert not mock.client.cookies and "X-Mock-Scenario" not in mock.client.headers
    assert mock.journal() == []
    response = mock.client.get(REGISTERED, headers=mock.headers())
    assert response.status_code == 200 and response.json()["data"] == []


@pytest.mark.parametrize("n", range(4))
def test_default_world(accelevents_mock, n):
    assert_fresh(accelevents_mock, 42)
    change_everything(accelevents_mock)


@pytest.mark.accelevents(seed=7)
@pytest.mark.parametrize("n", range(2))
def test_other_world(accelevents_mock, n):
    assert_fresh(accelevents_mock, 7)
    change_everything(accelevents_mock)


@pytest.mark.parametrize("n", range(2))
def test_default_world_again(accelevents_mock_url, accelevents_mock, n):
    assert_fresh(accelevents_mock, 42)
    change_everything(accelevents_mock)
'''


@pytest.mark.parametrize("workers", [[], ["-n", "2"]])
def test_a_fresh_mock_per_test_keeps_nothing_from_the_test_before(tmp_path: Path,
                                                                   workers: list[str]) -> None:
    (tmp_path / "test_isolation.py").write_text(ISOLATION_TESTS)
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                             *workers, str(tmp_path)],
                            capture_output=True, text=True, timeout=180, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "8 passed" in result.stdout


def test_in_process_mocks_answer_on_one_event_loop_that_never_holds_the_exit() -> None:
    """Every in-process mock's requests (API and controls) run on one event loop per process,
    in a daemon thread, not on a thread and loop started per request; a handle left open
    does not keep the process from exiting."""
    script = """
import threading
from accelevents_mock.testing.handle import MockHandle

threads = set()
one, two = MockHandle.start(), MockHandle.start(seed=7)
for mock in (one, two):
    inner = mock.app.app

    async def noting(scope, receive, send, inner=inner):
        threads.add(threading.current_thread().name)
        await inner(scope, receive, send)

    mock.app.app = noting
for mock in (one, two, one):
    answer = mock.client.get("/events/mock-event/session", headers=mock.headers())
    assert answer.status_code == 200, answer.text
    mock.clock.advance(minutes=5)
print(sorted(threads))
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['accelevents-mock']"


def test_the_shared_event_loop_is_ended_cleanly_at_exit() -> None:
    """A proxying mock thrown away while the in-process mocks' loop lives on leaves no
    connection of its own open, and at exit that loop is ended as asyncio.run ends one, so the
    pooled connections to the target are closed: no "Unclosed ..." warning either time."""
    script = """
import gc
from accelevents_mock.app import create_app
from accelevents_mock.config import MockConfig
from accelevents_mock.testing.handle import LiveServer, MockHandle

target = LiveServer(MockHandle(create_app(MockConfig()))).__enter__()
for _ in range(2):  # the first is thrown away and collected
    mock = MockHandle.start()
    mock.control.call("PUT", "/proxy", {"target": target.url, "operations": None,
                                       "fallback": False, "strict": False,
                                       "allowWrites": False, "timeoutS": 5})
    answer = mock.client.get("/events/mock-event/session", headers=mock.headers())
    del mock
    gc.collect()
print(answer.status_code, answer.headers["x-mock-source"])
"""
    result = subprocess.run([sys.executable, "-W", "ignore::DeprecationWarning", "-c", script],
                            capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stdout.strip()) == (0, "200 proxy"), result.stderr
    assert "Unclosed" not in result.stderr
