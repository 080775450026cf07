"""The harness must REPORT each defect planted in a broken server (tests/broken_servers.py)."""

from __future__ import annotations

from contract_tests import coverage
from contract_tests.options import Options
from contract_tests.properties import run_engine
from contract_tests.run import Run, start
from mockserver.contract import flows
from mockserver.contract.catalogue import Scenario

FAST = {"max_examples": 5, "seed": 1}


def broken(name: str, **extra: object) -> Run:
    return start(Options(app=f"tests.broken_servers:{name}", allow_writes=True, **FAST, **extra))


def findings_by_check(run: Run, operations: list[str]) -> dict[str, set[str]]:
    result = run_engine(run, operation_ids=operations)
    found: dict[str, set[str]] = {}
    for finding in result.findings:
        found.setdefault(finding.check, set()).add(finding.operation)
    return found


def test_the_real_mock_has_no_new_findings_on_these_operations() -> None:
    # The baseline that makes the tests below meaningful: the same run on the unbroken mock.
    run = start(Options(allow_writes=True, **FAST))
    assert findings_by_check(run, ["getSession", "getHostSession"]) == {}


def test_field_of_wrong_type_is_reported() -> None:
    found = findings_by_check(broken("wrong_type"), ["getSession", "getHostSession"])
    assert "response_schema_conformance" in found, found


def test_missing_required_field_is_reported() -> None:
    found = findings_by_check(broken("missing_field"), ["getSession"])
    assert "response_schema_conformance" in found, found


def test_undocumented_status_is_reported() -> None:
    found = findings_by_check(broken("undocumented_status"), ["getSession"])
    assert "status_code_conformance" in found, found


def test_server_error_on_bad_input_is_reported() -> None:
    found = findings_by_check(broken("crash_on_bad_input"), ["listSessions"])
    assert "not_a_server_error" in found, found


def test_ignored_token_is_reported() -> None:
    found = findings_by_check(broken("ignores_token"), ["listSessions"])
    assert "ignored_auth" in found, found


def test_wrong_documented_message_is_reported() -> None:
    run = broken("wrong_message")
    recipe = flows.recipes(Scenario.CAPACITY_REACHED, "registerForSession", run.cases, run.options.spec)[0]
    problems = run.drive(recipe)
    assert any("errorMessage 'Session is full'" in p for p in problems), problems
    # The coverage report must show it as seen with the wrong text, not as covered.
    row = next(r for r in coverage.matrix(run.traffic)
               if r.scenario == "capacity-reached" and r.operation == "registerForSession")
    assert not row.observed and row.wrong_message == "Session is full"
