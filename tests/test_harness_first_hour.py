"""Issue 27, the harness side: every mistake a newcomer makes with `test`, `drift` and `record`
gets one true line and exit 2 before any request loop; no test passes against a target that
never answered; a token refused mid-run is named as such; no token, nor a piece of one, is
written anywhere; long runs show progress and say why they stopped; a live run leaves nothing
it cannot undo unless allowed; the coverage report is readable."""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from accelevents_mock.app import create_app
from accelevents_mock.contract.cases import TOKENS
from accelevents_mock.harness import coverage, reports
from accelevents_mock.harness.cleanup import Registrations
from accelevents_mock.harness.options import Options
from accelevents_mock.harness.properties import run_engine
from accelevents_mock.harness.run import start
from accelevents_mock.harness.traffic import Exchange
from accelevents_mock.recording.walk import Unusable, Walker, usable
from accelevents_mock.safety.redact import MASK
from accelevents_mock.safety.throttle import UnsafeRequest
from tests.broken_servers import Corrupting, wrong_type
from tests.live import free_port, running_mock

ROOT = Path(__file__).resolve().parents[1]
# Distinctive (neither it nor its start shows up anywhere by chance), and as long as a JWT, so a
# repr cut short in the middle (pytest shows 240 characters of one) cuts inside it.
SECRET = "Zq7xW3vKp9TtL2mQ" + "a1B2c3D4e5F6g7H8" * 6
HOST_SECRET = "Hb4nR8cYe1UuJ6sD"


def command(*args: str, env: dict[str, str] | None = None, cwd: Path = ROOT,
            timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "accelevents_mock", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})})


@pytest.fixture(scope="module")
def mock() -> Iterator[str]:
    with running_mock("--log-level", "warning") as live:
        yield live.base_url


# (command and arguments, environment, what the one line must say); {mock} is a running mock,
# {dead} a port nobody listens on, {file} a file where a folder is wanted.
MISTAKES: list[tuple[str, dict[str, str], str]] = [
    ("test --max-examples 0", {}, "--max-examples '0': expected a whole number (1 or more)"),
    ("test --seed abc", {}, "'random'"),
    ("test --rate-limit 5/week", {}, "e.g. 5/s"),
    ("test --request-budget -1", {}, "(0 or more) (0: no limit)"),
    ("test --target-config {tmp}/missing.yaml", {}, "no such file"),
    ("test --report-dir {file}", {}, "is a file; expected a folder"),
    ("test --base-url {mock}/api", {}, "expected a URL ending in /rest"),
    ("test --base-url ftp://example", {}, "expected an http(s) URL"),
    ("test --base-url {dead}", {}, "cannot reach the target"),
    ("test --base-url {mock} --token wrong-token", {},
     "the attendee token (--token) was refused: 401 4010101"),
    ("test --base-url {mock} --token attendee-token --host-token wrong", {},
     "the host token (--host-token) was refused: 401"),
    ("test --base-url {mock} --token attendee-token --event-url no-such-event", {},
     "'no-such-event' is not on"),
    ("test --max-exampels 3", {}, "did you mean --max-examples?"),
    ("test --app no_such_module:app", {}, "cannot load it"),
    ("test", {"CONTRACT_MAX_EXAMPLES": "many"}, "[env CONTRACT_MAX_EXAMPLES]"),
    ("test", {"CONTRACT_ALLOW_WRITES": "maybe"}, "CONTRACT_ALLOW_WRITES='maybe': expected one of"),
    ("drift --other-base-url {dead}", {}, "--other-base-url http://127.0.0.1"),
    ("drift --base-url {mock} --other-base-url {mock} --other-token wrong", {},
     "the attendee token (--other-token) was refused"),
    ("drift --other-target-config {tmp}/missing.yaml", {}, "--other-target-config"),
    ("drift --rate-limit fast", {}, "e.g. 5/s"),
    ("record --target {dead} --token t --event-url mock-event --out {tmp}/r", {},
     "--target http://127.0.0.1"),
    ("record --target {mock} --token wrong --event-url mock-event --out {tmp}/r", {},
     "the attendee token (--token) was refused: 401 4010101"),
    ("record --target {mock}/api --token t --event-url mock-event --out {tmp}/r", {},
     "ending in /rest"),
    ("record --target {mock} --token attendee-token --event-url nope --out {tmp}/r", {},
     "'nope' is not on"),
    ("record --target {mock} --token t --event-url e --out {file}", {}, "is a file"),
    ("record --target {mock} --token t --event-url e --out {tmp}/r --max-requests 0", {},
     "1 or more"),
    ("record --target {mock} --token t --event-url e --out {tmp}/r --rate-limit 0.5/s", {},
     "e.g. 5/s"),
    ("record --token t --event-url e --out {tmp}/r", {}, "required: --target"),
]


@pytest.mark.parametrize(("argv", "env", "says"), MISTAKES, ids=[m[0] for m in MISTAKES])
def test_each_mistake_is_one_line_and_exit_2(mock: str, tmp_path: Path, argv: str,
                                             env: dict[str, str], says: str) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("")
    args = argv.format(mock=mock, dead=f"http://127.0.0.1:{free_port()}", file=a_file,
                       tmp=tmp_path).split()
    if args[0] != "record" and "--report-dir" not in args:
        args += ["--report-dir", str(tmp_path / "reports")]
    done = command(*args, env=env, cwd=tmp_path)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2, done.stdout[-2000:] + done.stderr[-2000:]
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    assert lines[0].startswith(f"accelevents-mock {args[0]}: "), lines[0]
    assert says in lines[0], lines[0]
    assert not (tmp_path / "r").exists()  # nothing was recorded


class Silent(http.server.BaseHTTPRequestHandler):
    """Answers the pre-flight's one GET, then hangs up on every request: a target that dies."""

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        if self.path.endswith("/session?size=1"):
            body = json.dumps({"recordsTotal": 0, "data": []}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            self.close_connection = True  # no answer at all

    do_POST = do_PUT = do_DELETE = do_GET  # noqa: N815

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def silent_target() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Silent)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/rest"
    finally:
        server.shutdown()


def test_no_test_passes_against_a_target_that_never_answered(silent_target: str,
                                                             tmp_path: Path) -> None:
    done = command("test", "--base-url", silent_target, "--token", SECRET, "--max-examples", "2",
                   "--rate-limit", "none", "--report-dir", str(tmp_path),
                   "-k", "test_operation_conforms and (listSessions or getSession)")
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]
    # Each operation's test says the target never answered (before any other verdict).
    for operation in ("listSessions", "getSession"):
        assert f"no request to {operation} got an answer from {silent_target}" in done.stdout
    junit = (tmp_path / "junit.xml").read_text()
    assert 'failures="0"' not in junit and "<failure" in junit
    assert "contract run against" in done.stderr  # progress from the start


def token_expires() -> Corrupting:
    """The mock, until its 40th API answer; then every token is refused (401 4010101)."""
    answers = iter(range(10**9))

    def mutate(path: str, status: int, body: Any) -> tuple[int, Any]:
        if next(answers) < 40:
            return status, body
        return 401, {"errorCode": "4010101", "errorMessage": "Not authorized.",
                     "developerMessage": "token expired"}

    return Corrupting(create_app(), mutate)


def test_a_token_refused_mid_run_is_named_not_blamed_on_the_target(tmp_path: Path) -> None:
    done = command("test", "--app", "tests.test_harness_first_hour:token_expires",
                   "--max-examples", "3", "--report-dir", str(tmp_path),
                   "-k", "test_operation_conforms and (listSessions or getSession)")
    assert done.returncode == 1, done.stdout[-3000:]
    assert "the attendee token was refused during the run" in done.stdout


def secret_tokens_wrong_type() -> Corrupting:
    """A broken server (a field of the wrong type) whose users hold SECRET and HOST_SECRET."""
    broken = wrong_type()
    swap = {SECRET.encode(): TOKENS["attendee"].encode(), HOST_SECRET.encode(): TOKENS["host"].encode()}

    def rewrite(scope: dict) -> None:
        scope["headers"] = [(name, swap.get(value, value)) for name, value in scope["headers"]]

    broken.rewrite_request = rewrite
    return broken


def test_no_token_nor_a_piece_of_one_is_written_anywhere(tmp_path: Path) -> None:
    # A failing run with distinctive tokens the target accepts, locals shown (fixture reprs).
    done = command("test", "--app", "tests.test_harness_first_hour:secret_tokens_wrong_type",
                   "--token", SECRET,
                   "--host-token", HOST_SECRET, "--max-examples", "3", "--report-dir",
                   str(tmp_path), "-l", "--tb=long",
                   "-k", "test_operation_conforms and getSession")
    assert done.returncode == 1, done.stdout[-3000:]
    assert "contract_run = Run(" in done.stdout  # the fixture's repr was printed
    written = {p.name: p.read_text(errors="replace") for p in tmp_path.iterdir() if p.is_file()}
    assert {"junit.xml", "traffic.har", "error-coverage.json", "findings.json"} <= set(written)
    written["terminal"] = done.stdout + done.stderr
    for token in (SECRET, HOST_SECRET):
        for name, text in written.items():
            assert token[:4] not in text, f"a piece of a token in {name}"
    assert MASK in written["traffic.har"]


def test_record_says_it_stopped_at_its_limit_with_progress_quiet_under_q(mock: str,
                                                                         tmp_path: Path) -> None:
    args = ("record", "--target", mock, "--token", TOKENS["attendee"], "--event-url",
            "mock-event", "--out", str(tmp_path / "r"), "--max-requests", "5", "--rate-limit", "none")
    done = command(*args)
    assert done.returncode == 0, done.stderr
    assert "stopped at --max-requests 5" in done.stdout
    assert "record: 0/5 requests" in done.stderr  # the first line, before any answer
    quiet = command(*args, "-q")
    assert quiet.returncode == 0 and "requests" not in quiet.stderr
    assert "stopped at --max-requests 5" in quiet.stdout


def test_record_refuses_to_save_what_is_not_a_deployments_answers() -> None:
    with pytest.raises(Unusable, match="never came back with sessions .*401 x2"):
        usable([{"operation": "listSessions", "status": 401, "body": {}}] * 2)
    answers = iter([200, 401])

    def deployment(request: httpx.Request) -> httpx.Response:
        return httpx.Response(next(answers), json={"errorCode": "4010101", "data": []})

    client = httpx.Client(transport=httpx.MockTransport(deployment), base_url="http://t/rest")
    walker = Walker(client, None, 10)
    walker.roles = {"tok-a": "attendee"}
    walker.get("listSessions", "/events/e/session", "tok-a")
    with pytest.raises(Unusable, match="the attendee token was refused mid-way: 401 4010101"):
        walker.get("listSessions", "/events/e/session", "tok-a")


def test_a_live_run_joins_no_workshop_unless_allowed(mock: str, tmp_path: Path) -> None:
    def run_on(allowed: bool) -> Any:
        run = start(Options(base_url=f"{mock}/rest", token=TOKENS["attendee"],
                            host_token=TOKENS["host"], allow_writes=True, rate_limit=None,
                            allow_irreversible=allowed, report_dir=tmp_path))
        run.target.world = None  # as a deployment, which no reset takes back
        return run

    run = run_on(allowed=False)
    with run.client() as client, pytest.raises(UnsafeRequest, match="--allow-irreversible"):
        client.put("/events/mock-event/session/11001")
    run_engine(run, operation_ids=["joinWorkshopSession", "getSession"], max_examples=3)
    reached = {exchange.operation for exchange in run.traffic}
    assert "getSession" in reached and "joinWorkshopSession" not in reached
    assert run.target.irreversible("joinWorkshopSession")
    allowed = run_on(allowed=True)
    assert allowed.target.irreversible("joinWorkshopSession") is None


def test_the_summary_lists_what_was_left_behind() -> None:
    registrations = Registrations()
    registrations.observe("PUT", "/rest/events/e/session/7", 200, {}, "joinWorkshopSession")
    registrations.observe("GET", "/rest/events/e/session/7", 200, {}, "getSession")
    summary = "\n".join(registrations.summary())
    assert "left behind on the target (1, cannot be undone)" in summary
    assert "PUT /rest/events/e/session/7 -> 200 (joinWorkshopSession" in summary


def test_coverage_report_has_short_urls_a_legend_and_says_what_writes_would_reach() -> None:
    long_path = "/events/" + "x" * 300 + "/session/v2/11001"
    seen = Exchange(source="property", method="GET", url="http://t/rest" + long_path + "?q=" + "y" * 200,
                    path=long_path, operation="getSession", status=404, request_headers={},
                    request_body=None, response_headers={}, elapsed_ms=1.0,
                    response_body=json.dumps({"errorCode": "4040200",
                                              "errorMessage": "Event not found."}))
    rows = coverage.matrix([seen], writes=False)
    register = [r for r in rows if r.operation == "registerForSession"]
    assert register and all(r.blocked == coverage.NEEDS_WRITES for r in register)
    assert not any(r.blocked for r in rows if r.operation == "getSession")
    page = reports.coverage_html(rows, {"target": "t"})
    assert "legend" in page and "needs --allow-writes" in page
    cells = page.split("<small>")[1:]
    assert cells and max(len(cell.split("</small>")[0]) for cell in cells) <= reports.SHORT_URL
