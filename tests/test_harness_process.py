"""The suite against the mock as a separate process over real HTTP (live mode), and the suite
as a command failing on a broken server."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.live import running_mock
from tests.redis_server import redis_server

ROOT = Path(__file__).resolve().parents[1]
TOKENS = ("attendee-token", "host-token")


@pytest.fixture(scope="module")
def mock_url() -> Iterator[str]:
    """Two workers sharing one world on a real Redis: the hardest way to serve the suite, as
    each step of a scenario may land on another worker (issue 17: a clock moved by one scenario
    once leaked into another worker's rebuilt world). One process is what the in-process suite
    (accelevents_mock/harness/) serves."""
    with redis_server() as port, running_mock("--log-level", "warning", "--workers", "2",
                                              "--store", f"redis://127.0.0.1:{port}/0",
                                              timeout_s=30) as live:
        yield live.base_url


def contract_test(*args: str, report_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "accelevents_mock", "test", *args,
                           "--report-dir", str(report_dir),
                           "--max-examples", "5", "--seed", "3"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_live_mode_over_http_passes_and_leaks_no_token(mock_url: str, tmp_path: Path) -> None:
    done = contract_test("--base-url", mock_url, "--token", TOKENS[0], "--host-token", TOKENS[1],
                         "--allow-writes", "--rate-limit", "none", report_dir=tmp_path)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-4000:]
    assert "--seed 3" in output  # the seed is in the header and summary
    written = {p.name: p.read_text() for p in tmp_path.iterdir()}
    assert {"junit.xml", "error-coverage.json", "error-coverage.html", "traffic.har"} <= set(written)
    coverage = json.loads(written["error-coverage.json"])
    assert coverage["summary"]["observed"] == coverage["summary"]["documented"]
    for token in TOKENS:
        assert token not in output
        for name, text in written.items():
            assert token not in text, f"{token!r} leaked into {name}"


def test_live_mode_is_read_only_by_default(mock_url: str, tmp_path: Path) -> None:
    since = len(httpx.get(f"{mock_url}/__mock/journal").json()["entries"])
    done = contract_test("--base-url", mock_url, "--token", TOKENS[0], "--host-token", TOKENS[1],
                         "--rate-limit", "50/s", "-k", "listSessions or getSession or register",
                         report_dir=tmp_path)
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]
    assert "needs writes" in done.stdout or "read-only" in done.stdout  # skips say why
    entries = httpx.get(f"{mock_url}/__mock/journal").json()["entries"][since:]
    assert entries, "the run sent nothing"
    assert {e["method"] for e in entries} == {"GET"}, {e["method"] for e in entries}


def test_suite_fails_on_a_broken_server(tmp_path: Path) -> None:
    done = contract_test("--app", "tests.broken_servers:wrong_type", "-k",
                         "test_operation_conforms and getSession", report_dir=tmp_path)
    assert done.returncode == 1, (done.stdout + done.stderr)[-4000:]
    assert "response_schema_conformance" in done.stdout
