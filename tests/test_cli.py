"""`accelevents-mock`, the one command: the bare form serves, `record`, `test` and `drift` are its
subcommands, every option says what it does, and each subcommand's help shows an example that
works as pasted (against `make run`'s mock where it needs one)."""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from accelevents_mock import __version__, cli
from accelevents_mock.harness import cli as harness_cli
from accelevents_mock.harness import drift
from accelevents_mock.pact import cli as pact_cli
from accelevents_mock.recording import walk as record
from tests.live import running_mock

ROOT = Path(__file__).resolve().parents[1]
PARSERS: dict[str, Callable[[], argparse.ArgumentParser]] = {
    "": cli.parser, "record": record.parser, "test": harness_cli.parser, "drift": drift.parser,
    "pact": pact_cli.parser}
SUBCOMMANDS = [name for name in PARSERS if name]


def command(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "accelevents_mock", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize("name", list(PARSERS))
def test_every_option_has_a_help_line(name: str) -> None:
    silent = [action.option_strings for action in PARSERS[name]()._actions
              if not (action.help or "").strip()]
    assert silent == []


def test_the_subcommands_are_the_ones_the_command_dispatches() -> None:
    assert tuple(SUBCOMMANDS) == cli.SUBCOMMANDS


@pytest.mark.parametrize("name", SUBCOMMANDS)
def test_each_subcommand_answers_help_under_its_own_name(name: str) -> None:
    done = command(name, "--help")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"usage: accelevents-mock {name}")
    assert "example" in done.stdout


def test_version_prints_the_packages_version() -> None:
    done = command("--version")
    assert (done.returncode, done.stdout.strip()) == (0, f"accelevents-mock {__version__}")


def example_of(name: str) -> list[str]:
    """The example command in `name`'s help, as one argv (continuation lines joined)."""
    epilog = PARSERS[name]().epilog or ""
    lines = epilog.split("example", 1)[1].splitlines()[1:]
    text = " ".join(line.strip().rstrip("\\") for line in lines if line.strip())
    argv = shlex.split(text)
    assert argv[:2] == ["accelevents-mock", name]
    return argv[1:]


@pytest.mark.parametrize("name", SUBCOMMANDS)
def test_each_subcommands_example_works_as_pasted(name: str, tmp_path: Path) -> None:
    with running_mock("--log-level", "warning") as live:
        port = live.base_url.rsplit(":", 1)[1]
        argv = [a.replace("127.0.0.1:8080", f"127.0.0.1:{port}").replace("/tmp/", f"{tmp_path}/")
                for a in example_of(name)]
        done = subprocess.run([sys.executable, "-m", "accelevents_mock", *argv], cwd=tmp_path,
                              capture_output=True, text=True, timeout=300,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
