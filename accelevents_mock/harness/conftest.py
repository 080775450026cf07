"""pytest wiring of the harness: options, the run fixture, redaction of every report, the seed in
the header and summary, and the reports written at the end of the session."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from accelevents_mock.harness import options as opts
from accelevents_mock.harness import reports
from accelevents_mock.harness.run import Run, start

RUN_KEY = pytest.StashKey[Run]()
OPTIONS_KEY = pytest.StashKey[opts.Options]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("contract", "contract tests (accelevents_mock/harness/)")
    opts.add_to(group.addoption)


def _options(config: pytest.Config) -> opts.Options:
    if OPTIONS_KEY not in config.stash:
        config.stash[OPTIONS_KEY] = opts.resolve(opts.given_from(config.option))
    return config.stash[OPTIONS_KEY]


@pytest.hookimpl(tryfirst=True)  # before the junitxml plugin reads --junitxml
def pytest_configure(config: pytest.Config) -> None:
    options = _options(config)
    # JUnit XML comes with every contract run unless the user chose a path already.
    if config.option.xmlpath is None:
        options.report_dir.mkdir(parents=True, exist_ok=True)
        config.option.xmlpath = str(options.report_dir / "junit.xml")


def pytest_report_header(config: pytest.Config) -> list[str]:
    return [f"contract: {_options(config).summary()}",
            f"contract: reproduce with --seed {_options(config).seed}"]


@pytest.fixture(scope="session")
def contract_run(request: pytest.FixtureRequest) -> Any:
    run = start(_options(request.config))
    request.config.stash[RUN_KEY] = run
    try:
        yield run
    finally:
        run.finish()  # unregister whatever the run registered, even after failures


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Any:
    report = yield
    run = item.config.stash.get(RUN_KEY, None)
    secrets = _options(item.config).secrets() + (
        [t for t in run.cases.tokens.values() if t] if run else [])
    if not secrets:
        return report
    from accelevents_mock.safety.redact import Redactor

    redactor = Redactor(secrets)
    # Tokens must not reach the terminal or JUnit XML, whatever a failure message contains.
    if isinstance(report.longrepr, tuple):  # a skip: (path, line, reason)
        report.longrepr = tuple(redactor.text(p) if isinstance(p, str) else p for p in report.longrepr)
    elif report.longrepr is not None:
        report.longrepr = redactor.text(str(report.longrepr))
    report.sections = [(title, redactor.text(text)) for title, text in report.sections]
    return report


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    run = session.config.stash.get(RUN_KEY, None)
    if run is None:
        return
    run.finish()
    findings = [f.__dict__ | {"phases": list(r.phases)} for r in run.engine_runs for f in r.findings]
    header = {"target": run.target.name, "seed": run.options.seed, "cases": run.cases.source,
              "requests": len(run.traffic), "started": run.started, "tolerated": tolerated(run)}
    paths = reports.write_all(run.options.report_dir, traffic=list(run.traffic), header=header,
                              findings=findings)
    session.config.stash[_PATHS_KEY] = paths


_PATHS_KEY = pytest.StashKey[dict[str, Path]]()


def tolerated(run: Run) -> dict[str, int]:
    """Answers not judged as contract violations (see docs/harness.md, tolerances)."""
    notes: dict[str, int] = {}
    for result in run.engine_runs:
        for note, count in result.notes.items():
            notes[note] = notes.get(note, 0) + count
    return notes


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    run = config.stash.get(RUN_KEY, None)
    if run is None:
        return
    from accelevents_mock.harness import coverage

    stats = coverage.summary(coverage.matrix(run.traffic))
    tr = terminalreporter
    tr.section("contract tests")
    tr.write_line(f"seed {run.options.seed} (reproduce: --seed {run.options.seed}); target {run.target.name}")
    tr.write_line(f"requests sent: {len(run.traffic)}; documented errors observed: "
                  f"{stats['observed']}/{stats['documented']}, wrong message: {stats['wrong_message']}")
    for note, count in tolerated(run).items():
        tr.write_line(f"tolerated, not a violation: {note} x{count}")
    regs = run.registrations
    tr.write_line(f"cleanup: {len(regs.undone)} registrations undone, {len(regs.failed)} could not be")
    for line in regs.failed:
        tr.write_line(f"  not undone: {line}")
    for name, path in config.stash.get(_PATHS_KEY, {}).items():
        tr.write_line(f"report {name}: {path}")
