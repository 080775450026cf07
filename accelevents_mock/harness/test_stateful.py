"""Stateful tests: sequences of calls chained by the spec's response links (list -> get ->
register -> join/unregister ...), with the stateful checks (use_after_free,
ensure_resource_availability) on."""

from __future__ import annotations

import pytest

from accelevents_mock.harness.properties import STATEFUL_PHASES, run_engine
from accelevents_mock.harness.run import Run


def test_linked_sequences_conform(contract_run: Run) -> None:
    if not contract_run.options.allow_writes:
        pytest.skip("not covered: the links lead to registrations, which need --allow-writes")
    result = run_engine(contract_run, phases=STATEFUL_PHASES, source="stateful",
                        max_examples=max(3, contract_run.options.max_examples // 5))
    assert result.total > 0, "the stateful phase sent no request"
    linked = {op for op, count in result.scenarios.items() if count}
    assert linked, "no stateful scenario ran"
    assert not result.findings, "stateful contract violation(s):\n" + "\n".join(
        f.describe() for f in result.findings)
