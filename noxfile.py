"""The test matrix, for `make test` (which creates .venv first and calls `nox` from it).

- `full`: ruff, mypy and every test, in .venv's own Python (the first ≥ 3.11 the Makefile found,
  3.11 on this project's machines): the one environment `make run` serves from too.
- `core`: on 3.12 and 3.13, the in-process contract suite, the server tests and the plugin
  tests, each in a fresh virtualenv of that Python.

`.venv/bin/nox -s core-3.13` runs one of them; `nox -l` lists them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nox

CORE_PYTHONS = ["3.12", "3.13"]


def runs(command: str) -> bool:
    found = shutil.which(command)
    return found is not None and subprocess.run([found, "-c", ""], capture_output=True).returncode == 0


def find_pythons() -> None:
    """pyenv's shims answer only for the versions pyenv has selected: nox finds an interpreter by
    its name on PATH, so the installed versions' own folders go first where a name does not run."""
    versions = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    folders = [str(max(versions.glob(f"{version}.*")) / "bin") for version in CORE_PYTHONS
               if not runs(f"python{version}") and any(versions.glob(f"{version}.*"))]
    os.environ["PATH"] = os.pathsep.join([*folders, os.environ.get("PATH", "")])


find_pythons()

nox.options.sessions = ["full", "core"]
nox.options.reuse_existing_virtualenvs = True  # a second local run installs nothing
nox.options.error_on_missing_interpreters = True  # a Python of the matrix missing is a failure

CORE_TESTS = [
    "accelevents_mock/harness",  # the contract suite against the mock in process
    "tests/test_server.py",
    "tests/test_plugin.py",
    "tests/test_packaging.py",
]


@nox.session(venv_backend="none")
def full(session: nox.Session) -> None:
    python = sys.executable  # nox itself runs from .venv
    session.run(python, "-m", "ruff", "check", ".")
    session.run(python, "-m", "mypy")
    # Two workers, a test file each at a time (a file's fixtures, an image or a Redis, stay
    # one): most tests wait on a server or a subprocess, so the run takes about half as long.
    session.run(python, "-m", "pytest", "-n", "2", "--dist", "loadfile", "--durations=15",
                *session.posargs)


@nox.session(python=CORE_PYTHONS)
def core(session: nox.Session) -> None:
    session.install("--quiet", "-e", ".[test]")
    session.run("python", "-m", "pytest", "-q", *CORE_TESTS, *session.posargs)
