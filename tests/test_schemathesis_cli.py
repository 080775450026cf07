"""The plain Schemathesis CLI, run the way its docs teach it from the repository root, against a
live mock: with the repository's `schemathesis.toml` it reaches every operation's core and passes.
"""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from pathlib import Path

import pytest

from accelevents_mock.contract.cases import EVENT_URL, TOKENS, Cases, Role, SessionCase
from accelevents_mock.contract.spec import load, operations
from accelevents_mock.harness.options import BY_DEST
from accelevents_mock.harness.schemathesis_target import guide_query, point_examples_at, target_cases
from tests.live import running_mock
from tests.schemathesis_report import Report

ROOT = Path(__file__).resolve().parent.parent
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
TARGET_VARIABLES = [BY_DEST[dest].env for dest in ("token", "host_token", "event_url", "target_config")]


def label(operation_id: str) -> str:
    operation = operations()[operation_id]
    return f"{operation.method} {operation.path}"


@pytest.fixture(scope="module")
def plain_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Report]:
    """`schemathesis run openapi.yaml --url URL/rest --checks all` with no target variables set,
    plus an NDJSON report to read the answers from."""
    reports = tmp_path_factory.mktemp("schemathesis")
    env = {name: value for name, value in os.environ.items() if name not in TARGET_VARIABLES}
    env["NO_COLOR"] = "1"
    with running_mock() as mock:
        result = subprocess.run(
            [str(SCHEMATHESIS), "run", "openapi.yaml", "--url", f"{mock.base_url}/rest",
             "--checks", "all", "--report", "ndjson", "--report-dir", str(reports)],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False)
    (report,) = reports.glob("*.ndjson")
    return result, Report.read(report)


def test_the_plain_cli_passes(plain_run: tuple[subprocess.CompletedProcess[str], Report]) -> None:
    result, _ = plain_run
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "schemathesis.toml" in result.stdout  # the repository's config was the one read


def test_every_operation_answers_2xx(plain_run: tuple[subprocess.CompletedProcess[str], Report]) -> None:
    _, report = plain_run
    statuses = report.statuses()
    unserved = [op for op in operations()
                if not any(status and 200 <= status < 300 for status in statuses.get(label(op), {}))]
    assert not unserved, {op: dict(statuses.get(label(op), {})) for op in unserved}


def test_no_missing_test_data_warning(plain_run: tuple[subprocess.CompletedProcess[str], Report]) -> None:
    result, _ = plain_run
    assert "Missing test data" not in result.stdout, result.stdout[-4000:]


def test_target_defaults_to_the_mock() -> None:
    cases = target_cases({})
    assert (cases.eventurl, cases.token(Role.ATTENDEE), cases.token(Role.HOST)) == (
        EVENT_URL, TOKENS[Role.ATTENDEE], TOKENS[Role.HOST])


def test_variables_point_the_run_at_another_target(tmp_path: Path) -> None:
    config = tmp_path / "staging.yaml"
    config.write_text("eventurl: staging-event\nsessions: {open: 5, workshop: 6, networking: 7}\n"
                      "tokens: {host: from-file}\n", encoding="utf-8")
    env = {BY_DEST["target_config"].env: str(config), BY_DEST["token"].env: "staging-attendee"}
    cases = target_cases(env)
    assert (cases.eventurl, cases.token(Role.ATTENDEE), cases.token(Role.HOST)) == (
        "staging-event", "staging-attendee", "from-file")
    raw = copy.deepcopy(load())  # load() is shared: never change it
    point_examples_at(raw, cases)
    parameters = raw["components"]["parameters"]
    assert parameters["eventurl"]["example"] == "staging-event"
    assert parameters["sessionId"]["example"] == 5
    register = raw["paths"]["/events/{eventurl}/session/{sessionId}/register"]["post"]["parameters"][1]
    assert {name: e["value"] for name, e in register["examples"].items()} == {
        "regular": 5, "workshop": 6, "networking": 7}


def test_the_spec_examples_are_the_mock_sessions_they_name() -> None:
    """`x-session-case` says which named session an example is; the mock's world agrees."""
    from accelevents_mock.world.builder import build_world

    world = build_world(sessions=20)
    cases = Cases("world", EVENT_URL, sessions={case: world.cases[case.key] for case in SessionCase
                                                 if case.key in world.cases})
    pointed = copy.deepcopy(load())
    point_examples_at(pointed, cases)
    assert pointed == load()


def test_stateful_lists_are_asked_as_the_guides_step_1() -> None:
    drawn = {"sessionFormat": "WORKSHOP", "page": 3070, "trackIds": "5,6", "expand": "stats",
             "filterDate": "4638/35/07", "past": "true"}
    assert guide_query(drawn, {"past", "page", "sessionFormat"}) == {
        "sessionFormat": "WORKSHOP", "expand": "stats", "past": "false"}
    assert guide_query({"filterDate": "2026/01/01"}, {"filterDate"}) == {}  # registered: no `past`
