"""The pytest plugin's fresh mock per test: how long each test's set-up takes.

A throwaway project outside the repo, as a user has it: N tests that each take the default
`accelevents_mock` (a fresh mock per test), list sessions and register for one, so every test
leaves changes behind for the next set-up to undo. Its conftest records each test's set-up
time from pytest's own reports (`--durations` rounds to 10 ms, too coarse for the goal).
The first test of the process builds the app and the world; the goal is about the others.

Run alone: .venv/bin/python bench/plugin_setup.py [--tests N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

CONFTEST = '''
import json
import os

TIMES = {"setup": [], "call": []}


def pytest_runtest_logreport(report):
    if report.when in TIMES and report.passed:
        TIMES[report.when].append(report.duration)


def pytest_sessionfinish(session):
    with open(os.environ["PLUGIN_SETUP_OUT"], "w") as out:
        json.dump(TIMES, out)
'''

TESTS = '''
import pytest


@pytest.mark.parametrize("n", range({tests}))
def test_a_user_registers(accelevents_mock, n):
    mock = accelevents_mock
    session_id = mock.cases["open_session"]
    assert mock.client.get("/events/mock-event/session", headers=mock.headers()).status_code == 200
    registered = mock.client.post(f"/events/mock-event/session/{{session_id}}/register",
                                  headers=mock.headers())
    assert registered.status_code == 200
'''


def measure(tests: int) -> dict:
    """Set-up times of `tests` tests, in ms: the first one's, and the median, 95th percentile
    and maximum of the others; and the median time of a test's own calls (the two requests),
    which shows that no set-up work was put off until the test's first request."""
    with tempfile.TemporaryDirectory(prefix="plugin-setup-") as folder:
        project = Path(folder)
        (project / "conftest.py").write_text(CONFTEST)
        (project / "test_users.py").write_text(TESTS.format(tests=tests))
        out = project / "setups.json"
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(project)],
            cwd=project, capture_output=True, text=True, timeout=600,
            env={**_environment(), "PLUGIN_SETUP_OUT": str(out)})
        if result.returncode != 0:
            raise RuntimeError(f"the plugin project failed:\n{result.stdout}{result.stderr}")
        times = json.loads(out.read_text())
    setups = [seconds * 1000 for seconds in times["setup"]]
    first, others = setups[0], sorted(setups[1:])
    return {"tests": len(setups), "first_ms": round(first, 1),
            "median_ms": round(statistics.median(others), 2),
            "p95_ms": round(others[int(0.95 * (len(others) - 1))], 2),
            "max_ms": round(others[-1], 2),
            "call_median_ms": round(statistics.median(times["call"][1:]) * 1000, 2)}


def _environment() -> dict[str, str]:
    # The user's project is not this repo: nothing of ours on its path but the installed
    # package (the plugin loads through its entry point).
    return {name: value for name, value in os.environ.items() if name != "PYTHONPATH"}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--tests", type=int, default=100)
    print(json.dumps(measure(p.parse_args().tests), indent=2))


if __name__ == "__main__":
    main()
