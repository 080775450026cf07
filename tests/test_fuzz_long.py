"""A long Schemathesis fuzz run over every operation of the contract: at least 10,000 generated
requests (positive and negative) against the in-process mock, through the property run's engine
driver (`run_engine`, fuzzing phase), with no 5xx and no contract violation under the harness's
checks. See accelevents_mock/harness/fuzz.py for how it is run."""

from __future__ import annotations

import multiprocessing
import os
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor

import pytest

from accelevents_mock.contract import spec as contract
from accelevents_mock.harness.fuzz import fuzz_operation
from accelevents_mock.harness.options import DEFAULT_SPEC
from accelevents_mock.harness.results import EngineRun

MIN_REQUESTS = 10_000
# Requests per operation and generation mode: 11 operations x 930 = 10,230 requests, about one
# in six negative (a negative case costs a third more CPU than a positive one).
EXAMPLES = {"negative": 150, "positive": 780}
# Generation is CPU-bound Python: one process per core (this machine has two).
WORKERS = max(1, min(4, len(os.sched_getaffinity(0))))


def _run(tasks: list[tuple[str, str, int]]) -> list[EngineRun]:
    # Each task starts from a freshly built world (fuzz_operation resets the mock's state first),
    # and each generates deterministically (seeded Hypothesis), whichever worker runs it.
    context = multiprocessing.get_context("spawn")  # no fork of a process with threads
    with ProcessPoolExecutor(WORKERS, mp_context=context) as pool:
        return list(pool.map(fuzz_operation, *zip(*tasks, strict=True)))


@pytest.mark.long
def test_fuzz_every_operation() -> None:
    operations = list(contract.operations(DEFAULT_SPEC))
    # The costlier negative tasks first, so the workers finish together.
    tasks = [(op, mode, count) for mode, count in EXAMPLES.items() for op in operations]
    started = time.perf_counter()
    reports = _run(tasks)
    elapsed = time.perf_counter() - started

    sent: Counter[tuple[str, str]] = Counter()  # (operation, mode) -> requests
    for report in reports:
        (operation,) = report.scenarios  # one operation per task, never another
        for mode, count in report.requests.items():
            sent[operation, mode] += count
    total = sum(sent.values())
    failed = [r for r in reports if r.failed]
    print(f"\nfuzz: {total} requests over {len({op for op, _ in sent})} operations in {elapsed:.1f}s "
          f"({WORKERS} workers)")
    for report in reports:
        print(f"  {next(iter(report.scenarios))} {dict(report.requests)} {report.seconds}s "
              f"{dict(sorted(report.statuses.items()))}")

    assert sent == {(op, mode): count for op, mode, count in tasks}, "not every task sent its requests"
    assert total >= MIN_REQUESTS, f"only {total} requests were generated (at least {MIN_REQUESTS})"
    assert not failed, f"{sum(r.failed for r in failed)} request(s) broke the contract:\n" + "\n\n".join(
        finding.describe() for r in failed for finding in r.findings)


# The run must be able to fail: the same driver, briefly, against deliberately broken servers.
@pytest.mark.parametrize(("server", "operation", "mode", "check"), [
    ("wrong_type", "getSession", "positive", "response_schema_conformance"),
    ("undocumented_status", "getSession", "positive", "status_code_conformance"),
    ("crash_on_bad_input", "listSessions", "negative", "not_a_server_error"),
    # The harness's own checks run in the fuzz run too.
    ("wrong_code_on_400", "listSessions", "negative", "documented_error_body"),
    ("generic_400_for_valid_input", "joinWorkshopSession", "positive", "documented_business_rule"),
])
def test_fuzz_reports_a_broken_server(server: str, operation: str, mode: str, check: str) -> None:
    report = fuzz_operation(operation, mode, 60, app=f"tests.broken_servers:{server}")
    assert report.requests == {mode: 60}
    assert report.failed_checks[check] > 0, report.failed_checks
    assert report.findings
