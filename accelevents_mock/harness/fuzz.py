"""A long fuzz run: thousands of Schemathesis-generated requests over every operation, each judged
by the harness's checks, against a fresh in-process mock (tests/test_fuzz_long.py runs it).

It is the property run's driver, `properties.run_engine` (Schemathesis's engine, as `st run` drives
it), limited to the fuzzing phase, one operation and one generation mode at a time, so a run can be
split over worker processes and counted per operation and mode. Everything else is the property
run's: the same configuration and checks (ALL_CHECKS and the harness's OUR_CHECKS), the same
credentials, the same aiming of valid requests at the event and sessions that exist, and the same
`EngineRun` judged with the same tolerances. Requests reach the app through Schemathesis's own
in-process ASGI transport.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from accelevents_mock.harness.options import resolve
from accelevents_mock.harness.properties import run_engine
from accelevents_mock.harness.results import EngineRun
from accelevents_mock.harness.run import Run, start

FUZZ_CLOCK = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)  # a fixed instant: the same world every run
FUZZ_APP = "accelevents_mock.harness.fuzz:fuzz_app"
MAX_FINDINGS = 20  # per task; the first few say what is wrong


def fuzz_app() -> Any:
    """The fuzzed target (`--app accelevents_mock.harness.fuzz:fuzz_app`): the mock at a fixed instant."""
    from accelevents_mock.app import create_app
    from accelevents_mock.config import MockConfig

    return create_app(MockConfig(clock=FUZZ_CLOCK))


_RUNS: dict[str, Run] = {}  # app -> its run, one per worker process


def fuzz_run(app: str = FUZZ_APP) -> Run:
    """The harness run on an in-process app, built once per process (whatever CONTRACT_*
    variables the shell holds)."""
    if app not in _RUNS:
        _RUNS[app] = start(resolve({"app": app, "seed": "42"}, env={}))
    return _RUNS[app]


def fuzz_operation(operation_id: str, mode: str, count: int, app: str = FUZZ_APP) -> EngineRun:
    """`count` generated requests of one mode ("positive" or "negative") to one operation, from
    the seeded world (a module-level function: worker processes find it by name)."""
    run = fuzz_run(app)
    state = getattr(run.target.app, "state", None)
    if state is not None:
        state.reset()  # every task starts from the same world, whichever worker runs it
    return run_engine(run, phases=("fuzzing",), operation_ids=[operation_id], max_examples=count,
                      generation={"mode": mode}, source="fuzz", max_findings=MAX_FINDINGS,
                      continue_on_failure=True)
