"""Property tests: every operation of the contract under Schemathesis's full check set."""

from __future__ import annotations

import pytest

from accelevents_mock.contract import spec as contract
from accelevents_mock.harness.options import DEFAULT_SPEC
from accelevents_mock.harness.properties import PROPERTY_PHASES, EngineRun, run_engine
from accelevents_mock.harness.run import Run

OPERATIONS = list(contract.operations(DEFAULT_SPEC))


@pytest.fixture(scope="session")
def property_run(contract_run: Run) -> EngineRun:
    # One engine run over all operations (examples, coverage, fuzzing), judged per operation.
    return run_engine(contract_run, phases=PROPERTY_PHASES)


@pytest.mark.parametrize("operation_id", OPERATIONS)
def test_operation_conforms(contract_run: Run, property_run: EngineRun, operation_id: str) -> None:
    operation = contract.operations(contract_run.options.spec)[operation_id]
    if not contract_run.options.allow_writes and not operation.safe:
        pytest.skip(f"not covered: {operation.method} is a write and the target is read-only "
                    "(pass --allow-writes)")
    reason = contract_run.target.irreversible(operation_id)
    if reason:
        pytest.skip(f"not covered: {reason}")
    assert property_run.scenarios.get(operation_id), f"{operation_id} was never exercised"
    # No pass without an answer: a target that refused every connection proves nothing.
    assert property_run.answered[operation_id], (
        f"no request to {operation_id} got an answer from {contract_run.target.name} "
        f"({property_run.total} answers in all); is the target up?")
    findings = property_run.for_operation(operation_id)
    refused = contract_run.refusals.message()
    # After a refusal, what the run saw says nothing of the target: the token is the news.
    assert not refused, f"{refused}; {len(findings)} failure(s) on {operation_id} followed"
    assert not findings, f"{len(findings)} contract violation(s) on {operation_id}:\n" + "\n".join(
        f.describe() for f in findings)
