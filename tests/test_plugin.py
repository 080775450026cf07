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
    assert names.get("accelevents_mock") == "mockserver.pytest_plugin"
