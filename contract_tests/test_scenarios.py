"""Scenario tests: every documented error of the catalogue, reached by a real flow on the target
(not forced), with its exact status, code and message."""

from __future__ import annotations

import pytest

from contract_tests import scenarios
from contract_tests.options import DEFAULT_SPEC
from mockserver import errors

PAIRS = scenarios.pairs()


@pytest.fixture
def fresh_world(contract_run):
    # Scenarios change state (registrations, joins); on our mock each starts from the seed world.
    if contract_run.target.is_mock and contract_run.options.allow_writes:
        with contract_run.target.raw_client(contract_run.target.root) as client:
            assert client.post("/__mock/reset", json={}).status_code == 200
    return contract_run


@pytest.mark.parametrize(("scenario", "operation"), PAIRS, ids=[f"{s}-{o}" for s, o in PAIRS])
def test_documented_error(fresh_world, scenario: str, operation: str) -> None:
    run = fresh_world
    try:
        recipe = scenarios.recipe(scenario, operation, run.cases, run.options.spec or DEFAULT_SPEC)
    except scenarios.NotCovered as exc:
        pytest.skip(f"not covered: {exc} ({run.cases.source})")
    if recipe.writes and not run.options.allow_writes:
        pytest.skip("not covered: the flow needs writes (pass --allow-writes)")
    if recipe.irreversible and not run.target.is_mock:
        pytest.skip("not covered: the flow joins a session, which cannot be undone on a live target")
    problems = scenarios.drive(run, recipe)
    assert not problems, "\n".join(problems)


def test_catalogue_is_covered_by_recipes() -> None:
    # Every catalogue entry must have a recipe; a new entry without one fails here.
    from contract_tests.targets import Cases

    full = Cases("all", "e", sessions={n: 1 for n in
                                       ("open", "full", "restricted", "ended", "upcoming", "late_join",
                                        "workshop", "networking", "ended_workshop", "ended_networking")},
                 tokens={r: "t" for r in ("attendee", "excluded_attendee", "limited_attendee",
                                           "no_ticket", "host", "unknown")}, sessions_permitted=2)
    for scenario, operation in PAIRS:
        recipe = scenarios.recipe(scenario, operation, full, DEFAULT_SPEC)
        assert recipe.case is errors.lookup(scenario, operation)
