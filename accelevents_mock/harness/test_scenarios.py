"""Scenario tests: every documented error of the catalogue, reached by a real flow on the target
(not forced), with its exact status, code and message. The flows are `accelevents_mock.contract.flows`,
the same the mock's own tests drive."""

from __future__ import annotations

import pytest

from accelevents_mock.contract import flows
from accelevents_mock.contract.catalogue import Scenario
from accelevents_mock.harness.options import DEFAULT_SPEC
from accelevents_mock.harness.run import Run

PAIRS = flows.pairs()


@pytest.fixture
def fresh_world(contract_run: Run) -> Run:
    # Scenarios change state (registrations, joins); on our mock each starts from the seed world.
    if contract_run.target.is_mock and contract_run.options.allow_writes:
        with contract_run.target.control_client() as client:
            assert client.post("/__mock/reset", json={}).status_code == 200
    return contract_run


def _reset(run: Run) -> None:
    with run.target.control_client() as client:
        assert client.post("/__mock/reset", json={}).status_code == 200


@pytest.mark.parametrize(("scenario", "operation"), PAIRS, ids=[f"{s}-{o}" for s, o in PAIRS])
def test_documented_error(fresh_world: Run, scenario: Scenario, operation: str) -> None:
    run = fresh_world
    try:
        recipes = flows.recipes(scenario, operation, run.cases, run.options.spec or DEFAULT_SPEC)
    except flows.NotCovered as exc:
        pytest.skip(f"not covered: {exc} ({run.cases.source})")
    if any(recipe.writes for recipe in recipes) and not run.options.allow_writes:
        pytest.skip("not covered: the flow needs writes (pass --allow-writes)")
    if any(recipe.irreversible for recipe in recipes) and not run.target.is_mock:
        pytest.skip("not covered: the flow joins a session, which cannot be undone on a live target")
    problems: list[str] = []
    for number, recipe in enumerate(recipes):
        if number and run.target.is_mock and recipe.writes:
            _reset(run)  # each variant from the seed world
        problems += [f"[{recipe.variant}] {p}" for p in run.drive(recipe)]
    assert not problems, "\n".join(problems)
