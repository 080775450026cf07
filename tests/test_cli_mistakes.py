"""Every mistake on the server command gets one line on stderr naming the option and what it
accepts, exit code 2, no traceback and nothing on stdout (no banner): types and ranges, a port in
use, files and folders, a proxy target without the base path, unreachable Redis."""

from __future__ import annotations

import gc
import json
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from accelevents_mock import cli
from accelevents_mock.recording.file import RECORDING_FILE
from tests.live import free_port

TARGET = "https://staging.example/rest"
STORE_PASSWORD = "store-password-nobody-may-read"


def recording(directory: Path, content: str) -> Path:
    directory.mkdir()
    (directory / RECORDING_FILE).write_text(content)
    return directory


# (test id, arguments made in a temporary folder, the option the line names, what it accepts)
Arguments = Callable[[Path], list[str]]
MISTAKES: list[tuple[str, Arguments, str, str]] = [
    ("port zero", lambda _: ["--port", "0"], "--port", "from 1 to 65535"),
    ("port too high", lambda _: ["--port", "65536"], "--port", "from 1 to 65535"),
    ("port not a number", lambda _: ["--port", "http"], "--port", "from 1 to 65535"),
    ("seed not a number", lambda _: ["--seed", "forty-two"], "--seed", "whole number"),
    ("no sessions", lambda _: ["--sessions", "0"], "--sessions", "from 1 to 100000"),
    ("negative attendees", lambda _: ["--attendees", "-1"], "--attendees", "from 0 to 100000"),
    ("no workers", lambda _: ["--workers", "0"], "--workers", "from 1 to 64"),
    ("workers without a store", lambda _: ["--workers", "2"], "--workers", "--store redis://"),
    ("clock in words", lambda _: ["--clock", "tomorrow"], "--clock", "ISO 8601"),
    ("latency in words", lambda _: ["--latency", "fast"], "--latency", "LO-HI"),
    ("latency backwards", lambda _: ["--latency", "500-100"], "--latency", "LO-HI"),
    ("negative networking delay", lambda _: ["--simulate-networking", "-1"],
     "--simulate-networking", "seconds above 0"),
    ("fault on a misspelt operation", lambda _: ["--fault", "getSesion=500"], "--fault",
     "getSession"),
    ("unknown fault", lambda _: ["--fault", "getSession=teapot"], "--fault", "slow-body"),
    ("fault without a name", lambda _: ["--fault", "getSession"], "--fault", "OPERATION=FAULT"),
    ("missing world folder", lambda d: ["--world", str(d / "nowhere")], "--world",
     "accelevents-mock record"),
    ("world is a file", lambda d: ["--world", str(recording(d / "w", "{}") / RECORDING_FILE)],
     "--world", "accelevents-mock record"),
    ("world folder without a recording", lambda d: ["--world", str(d)], "--world",
     RECORDING_FILE),
    ("recording not JSON", lambda d: ["--world", str(recording(d / "w", "{"))], "--world",
     "accelevents-mock record"),
    ("recording without its outline", lambda d: ["--world", str(recording(d / "w", "{}"))],
     "--world", "meta.eventurl"),
    ("recording with a broken session",
     lambda d: ["--world", str(recording(d / "w", json.dumps({
         "meta": {"eventurl": "e", "target": "t"},
         "exchanges": [{"operation": "getSession", "status": 200, "body": {"sessionId": 1}}]})))],
     "--world", "accelevents-mock record"),
    ("proxy without the base path", lambda _: ["--proxy", "https://staging.example/"], "--proxy",
     "/rest"),
    ("proxy without a scheme", lambda _: ["--proxy", "staging.example/rest"], "--proxy",
     "http(s) URL"),
    ("proxy timeout zero", lambda _: ["--proxy", TARGET, "--proxy-timeout", "0"],
     "--proxy-timeout", "seconds above 0"),
    ("proxy timeout too long", lambda _: ["--proxy", TARGET, "--proxy-timeout", "601"],
     "--proxy-timeout", "at most 600"),
    ("proxy timeout not a number", lambda _: ["--proxy", TARGET, "--proxy-timeout", "soon"],
     "--proxy-timeout", "not a number"),
    ("proxy operations without a proxy", lambda _: ["--proxy-ops", "listSessions"],
     "--proxy-ops", "--proxy URL"),
    ("misspelt proxy operation", lambda _: ["--proxy", TARGET, "--proxy-ops", "getSesion"],
     "--proxy-ops", "getSession"),
    ("missing token map", lambda d: ["--proxy", TARGET, "--proxy-token-map", str(d / "no.json")],
     "--proxy-token-map", "JSON"),
    ("proxy target out of reach", lambda _: ["--proxy", f"http://127.0.0.1:{free_port()}/rest"],
     "--proxy", "start it or correct the URL"),
    ("store of another kind", lambda _: ["--store", "mysql://127.0.0.1/0"], "--store", "redis://"),
    ("store out of reach", lambda _: ["--store", f"redis://:{STORE_PASSWORD}@127.0.0.1:1/0"],
     "--store", "redis-server"),
    ("empty admin token", lambda _: ["--admin-token", ""], "--admin-token", "printable"),
    ("CORS origins not a pattern", lambda _: ["--cors-origins", "("], "--cors-origins",
     "regular expression"),
    ("address of another machine", lambda _: ["--host", "192.0.2.1"], "--host", "127.0.0.1"),
    ("unknown log level", lambda _: ["--log-level", "loud"], "--log-level", "info"),
    ("unknown option", lambda _: ["--sesions", "5"], "--sesions", "--help"),
]


@pytest.fixture
def command(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The server command in this process, which may not start serving."""

    def serve(*_: object, **__: object) -> None:
        raise AssertionError("the command started serving")

    monkeypatch.setattr(cli.uvicorn, "run", serve)
    monkeypatch.delenv(cli.ADMIN_TOKEN_VARIABLE, raising=False)
    yield
    gc.enable()  # the command turns the collector off while it builds the server


def assert_one_line(code: object, out: str, err: str, option: str, accepted: str) -> str:
    assert code == 2, (code, err)
    assert out == "", out  # no banner
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    line = lines[0]
    assert line.startswith("accelevents-mock: "), line
    assert option in line and accepted in line, line
    return line


@pytest.mark.parametrize(("arguments", "option", "accepted"),
                         [case[1:] for case in MISTAKES], ids=[case[0] for case in MISTAKES])
def test_a_mistake_is_one_line_and_exit_code_2(
        command: None, capsys: pytest.CaptureFixture[str], tmp_path: Path,
        arguments: Arguments, option: str, accepted: str) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["--port", str(free_port()), *arguments(tmp_path)])
    captured = capsys.readouterr()
    line = assert_one_line(exited.value.code, captured.out, captured.err, option, accepted)
    assert "parse_instant" not in line and "parse_range" not in line  # no internal names
    assert STORE_PASSWORD not in line


def test_a_port_in_use_is_said_before_the_banner(
        command: None, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(SystemExit) as exited:
            cli.main(["--port", str(port)])
    captured = capsys.readouterr()
    assert_one_line(exited.value.code, captured.out, captured.err, "--port", f"port {port} is in use")


def test_the_real_command_prints_one_line_and_no_traceback() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        ran = subprocess.run([sys.executable, "-m", "accelevents_mock", "--port", str(port)],
                             capture_output=True, text=True, timeout=60)
    assert_one_line(ran.returncode, ran.stdout, ran.stderr, "--port", "in use")


def test_an_unreachable_proxy_target_with_fallback_is_said_and_the_mock_serves(
        command: None, capsys: pytest.CaptureFixture[str]) -> None:
    dead = f"http://127.0.0.1:{free_port()}/rest"
    with pytest.raises(AssertionError, match="started serving"):
        cli.main(["--port", str(free_port()), "--proxy", dead, "--proxy-fallback"])
    warned = [line for line in capsys.readouterr().err.splitlines() if "--proxy" in line]
    assert len(warned) == 1 and "warning" in warned[0] and "--proxy-fallback" in warned[0]
