"""The harness must REPORT each defect planted in a broken server (tests/broken_servers.py)."""

from __future__ import annotations

import json

import pytest

from accelevents_mock.contract import flows
from accelevents_mock.contract.catalogue import Scenario
from accelevents_mock.harness import coverage
from accelevents_mock.harness.checks import OUR_CHECKS
from accelevents_mock.harness.options import Options
from accelevents_mock.harness.properties import EngineRun, run_engine
from accelevents_mock.harness.run import Run, start

FAST = {"max_examples": 5, "seed": 1}


def broken(name: str, **extra: object) -> Run:
    return start(Options(app=f"tests.broken_servers:{name}", allow_writes=True, **FAST, **extra))


def findings_by_check(run: Run, operations: list[str]) -> dict[str, set[str]]:
    result = run_engine(run, operation_ids=operations)
    return by_check(result)


def by_check(result: EngineRun) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for finding in result.findings:
        found.setdefault(finding.check, set()).add(finding.operation)
    return found


FORMAT_RULE_OPERATIONS = ["joinWorkshopSession", "setNetworkingAvailability", "getNetworkingMatches"]


def test_the_real_mock_has_no_new_findings_on_these_operations() -> None:
    # The baseline that makes the tests below meaningful: the same run on the unbroken mock.
    run = start(Options(allow_writes=True, **FAST))
    assert findings_by_check(run, ["getSession", "getHostSession", *FORMAT_RULE_OPERATIONS]) == {}


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


# Each defect below passes every built-in check; only the harness's own checks report it.
@pytest.mark.parametrize(("server", "operations", "check"), [
    ("wrong_code_on_400", ["listSessions"], "documented_error_body"),
    ("message_of_another_code", ["getSession"], "documented_error_message"),
    ("undocumented_error_code", ["getSession"], "documented_error_body"),
    ("generic_400_for_valid_input", FORMAT_RULE_OPERATIONS, "documented_business_rule"),
])
def test_error_contract_defects_are_reported_by_our_checks_only(
        server: str, operations: list[str], check: str) -> None:
    found = findings_by_check(broken(server), operations)
    assert check in found, found
    if check == "documented_business_rule":
        assert found[check] == set(operations), found  # a generic 400 on each of the three
    # Every check ran on the same responses: no built-in one saw anything wrong.
    assert set(found) <= set(OUR_CHECKS), f"a built-in check already catches {server}: {found}"


def test_501_for_methods_the_target_does_not_implement_is_not_a_violation() -> None:
    result = run_engine(broken("not_implemented_methods"), operation_ids=["listSessions", "getSession"])
    assert by_check(result) == {}
    assert any("TRACE not implemented" in note for note in result.notes), result.notes


def test_an_expired_token_is_replaced_by_the_token_command_and_never_shown() -> None:
    from tests.broken_servers import FRESH_TOKEN, TOKEN_USES

    TOKEN_USES.clear()
    run = broken("expiring_token", token="attendee-token", token_command=f"echo {FRESH_TOKEN}")
    # Enough requests for the token to expire (EXPIRES_AFTER) and for the run to go on after.
    result = run_engine(run, operation_ids=["listSessions", "getRegisteredSessions"], max_examples=50)
    assert run.tokens.refreshes == 1
    assert TOKEN_USES["fresh"] >= 20, f"the run did not go on with the fresh token: {TOKEN_USES}"
    assert TOKEN_USES["expired"] <= 5, TOKEN_USES  # only cases drawn before the refresh
    assert by_check(result) == {}
    shown = json.dumps([e.__dict__ for e in run.traffic], default=str) + str(result.findings)
    assert FRESH_TOKEN not in shown and "attendee-token" not in shown


def test_without_a_token_command_the_expiry_stays_visible() -> None:
    from tests.broken_servers import TOKEN_USES

    TOKEN_USES.clear()
    run = broken("expiring_token", token="attendee-token")
    run_engine(run, operation_ids=["listSessions"])
    assert run.tokens.refreshes == 0
    assert TOKEN_USES["fresh"] == 0 and TOKEN_USES["expired"] > 0, TOKEN_USES


def test_a_proxy_503_with_retry_after_is_retried_and_not_a_violation() -> None:
    run = broken("unavailable_at_times")
    result = run_engine(run, operation_ids=["listSessions", "getSession"])
    assert by_check(result) == {}
    assert any("target unavailable (503" in note for note in result.notes), result.notes
    # The scenario client resends: every documented-error flow still ends with its own answer.
    recipe = flows.recipes(Scenario.SESSION_NOT_FOUND, "getSession", run.cases, run.options.spec)[0]
    assert all(run.drive(recipe) == [] for _ in range(3))


def test_an_ignored_token_is_still_reported_with_a_token_command() -> None:
    run = broken("ignores_token", token="attendee-token", token_command="echo fresh-token-0000")
    assert "ignored_auth" in findings_by_check(run, ["listSessions"])


def test_the_scenario_client_goes_on_with_the_fresh_token() -> None:
    from tests.broken_servers import EXPIRES_AFTER, FRESH_TOKEN, TOKEN_USES

    TOKEN_USES.clear()
    run = broken("expiring_token", token="attendee-token", token_command=f"echo {FRESH_TOKEN}")
    with run.client() as api:
        statuses = [api.get(f"/events/{run.cases.eventurl}/session",
                            headers={"Authorization": "attendee-token"}).status_code
                    for _ in range(EXPIRES_AFTER + 5)]
    assert statuses.count(401) == 1 and statuses[-4:] == [200] * 4, statuses
    assert run.tokens.refreshes == 1 and TOKEN_USES["fresh"] == 4, TOKEN_USES


def test_a_503_without_retry_after_is_still_a_server_error() -> None:
    # Every response judged: the first failed check would otherwise end the operation, whichever
    # check a 503 happened to meet first (ignored_auth's own probe, say).
    result = run_engine(broken("unavailable_without_retry_after"), operation_ids=["listSessions"],
                        continue_on_failure=True)
    assert "not_a_server_error" in by_check(result) and not result.notes


def test_a_run_sends_only_to_the_operations_it_was_given() -> None:
    run = start(Options(allow_writes=True, **FAST))
    result = run_engine(run, operation_ids=["getSession", "listSessions"])
    assert set(result.scenarios) == {"getSession", "listSessions"}


def test_a_live_engine_run_sends_a_request_again_when_a_proxy_says_unavailable() -> None:
    # Over real HTTP (Schemathesis' requests transport): an API call's first try is a proxy's 503
    # with Retry-After, and each is sent again, so no answer
    # is left "unavailable" to note.
    from types import SimpleNamespace

    from accelevents_mock.testing.handle import LiveServer
    from tests.broken_servers import unavailable_at_times

    app = unavailable_at_times()
    with LiveServer(SimpleNamespace(app=app)) as server:  # type: ignore[arg-type]  # only .app is served
        run = start(Options(base_url=server.url, token="attendee-token", host_token="host-token",
                            rate_limit=None, **FAST))
        result = run_engine(run, operation_ids=["listSessions", "getSession"])
    assert app.calls >= 3 * 3, app.calls  # the proxy did say "unavailable", several times
    assert by_check(result) == {}
    assert not any("target unavailable" in note for note in result.notes), result.notes
