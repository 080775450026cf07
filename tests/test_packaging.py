"""What the wheel installs: one import name, one command, on every Python of the matrix, beside
MockServer's own client (whose `mockserver` name and pytest plugin ours once clashed with)."""

from __future__ import annotations

import configparser
import os
import subprocess
import sys
import venv
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from accelevents_mock.contract.cases import TOKENS
from tests.live import LiveMock, free_port, wait_until_up

ROOT = Path(__file__).resolve().parents[1]
MOCKSERVER_CLIENT = "mockserver-client==9.2.0"  # MockServer's official Python client


def build_wheel(directory: Path) -> Path:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(directory), str(ROOT)], check=True, capture_output=True)
    return next(directory.glob("*.whl"))


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_wheel(tmp_path_factory.mktemp("wheel"))


def test_wheel_ships_the_spec_and_only_our_import_name(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        shipped = archive.read("accelevents_mock/openapi.yaml")
        names = archive.namelist()
    assert shipped == (ROOT / "openapi.yaml").read_bytes()
    assert "accelevents_mock/py.typed" in names
    top_level = {name.split("/")[0] for name in names if not name.split("/")[0].endswith(".dist-info")}
    assert top_level == {"accelevents_mock"}


def test_wheel_installs_one_command_and_the_plugin_under_our_name(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        entry_points = next(n for n in archive.namelist() if n.endswith(".dist-info/entry_points.txt"))
        metadata = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        parser = configparser.ConfigParser()
        parser.read_string(archive.read(entry_points).decode())
        meta = archive.read(metadata).decode()
    assert dict(parser["console_scripts"]) == {"accelevents-mock": "accelevents_mock.cli:main"}
    assert dict(parser["pytest11"]) == {"accelevents_mock": "accelevents_mock.testing.plugin"}
    assert "Requires-Python: >=3.11\n" in meta
    for version in ("3.11", "3.12", "3.13"):
        assert f"Classifier: Programming Language :: Python :: {version}\n" in meta


def test_installs_next_to_pypis_fixtures(wheel: Path, tmp_path: Path) -> None:
    # `fixtures` is a PyPI project (testtools and many suites import it): ours must not shadow it.
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site),
                    str(wheel), "fixtures"], check=True, capture_output=True)
    probe = ("import sys; sys.path.insert(0, sys.argv[1]); import fixtures, "
             "accelevents_mock.contract.catalogue; print(fixtures.__file__); "
             "print(hasattr(fixtures, 'Fixture'))")
    done = subprocess.run([sys.executable, "-c", probe, str(site)], cwd=tmp_path, check=True,
                          capture_output=True, text=True)
    location, is_pypis = done.stdout.split()
    assert Path(location) == site / "fixtures" / "__init__.py" and is_pypis == "True"


@pytest.fixture(scope="module")
def fresh_venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This Python's fresh virtualenv with our wheel (plain `pip install`, its dependencies from
    the registry), MockServer's client and pytest: what a new user's environment looks like."""
    home = tmp_path_factory.mktemp("venv")
    venv.EnvBuilder(with_pip=True).create(home)
    subprocess.run([str(home / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel),
                    MOCKSERVER_CLIENT, "pytest"], check=True, capture_output=True, timeout=600)
    return home


def run_in(home: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run(args, cwd=cwd or home, capture_output=True, text=True, timeout=120,
                          env={**env, "PATH": f"{home / 'bin'}:{env['PATH']}"})


def test_mockservers_client_keeps_its_name_beside_ours(fresh_venv: Path) -> None:
    done = run_in(fresh_venv, "python", "-c",
                  "import mockserver, accelevents_mock; print(mockserver.MockServerClient.__name__)")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "MockServerClient"


def test_pytest_starts_with_both_plugins(fresh_venv: Path, tmp_path: Path) -> None:
    (tmp_path / "test_nothing.py").write_text(
        "import sys\n\ndef test_no_mock_asked_for():\n"
        "    assert 'connexion' not in sys.modules and 'starlette' not in sys.modules\n")
    done = run_in(fresh_venv, "python", "-m", "pytest", "-q", "-p", "no:cacheprovider",
                  "--accelevents-seed", "7", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout


def test_command_answers_help_and_version(fresh_venv: Path) -> None:
    helped = run_in(fresh_venv, "accelevents-mock", "--help")
    version = run_in(fresh_venv, "accelevents-mock", "--version")
    assert helped.returncode == 0 and "usage: accelevents-mock" in helped.stdout
    assert version.returncode == 0 and version.stdout.startswith("accelevents-mock 0.")


@pytest.fixture
def served_from_fresh_venv(fresh_venv: Path) -> Iterator[str]:
    port = free_port()
    server = subprocess.Popen([str(fresh_venv / "bin" / "accelevents-mock"), "--port", str(port),
                               "--log-level", "warning"], cwd=fresh_venv,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    live = LiveMock(f"http://127.0.0.1:{port}")
    try:
        wait_until_up(live, server, timeout_s=30)  # fails at once if the server exits
        yield live.base_url
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_the_installed_mock_serves_a_session_list(served_from_fresh_venv: str) -> None:
    answer = httpx.get(f"{served_from_fresh_venv}/rest/events/mock-event/session",
                       headers={"Authorization": TOKENS["attendee"]}, timeout=10)
    assert answer.status_code == 200 and answer.json()["recordsTotal"] > 0
