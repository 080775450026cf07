"""pytest wiring of the harness: options, the run fixture, redaction of every report, the seed in
the header and summary, and the reports written at the end of the session."""

from __future__ import annotations

import contextlib
import io
import sys
from pathlib import Path
from typing import IO, Any, cast

import pytest

from accelevents_mock.harness import options as opts
from accelevents_mock.harness import reports
from accelevents_mock.harness.run import Run, preflight, start
from accelevents_mock.terminal.progress import Progress
from accelevents_mock.terminal.usage import UsageError

RUN_KEY = pytest.StashKey[Run]()
OPTIONS_KEY = pytest.StashKey[opts.Options]()
PROGRESS_KEY = pytest.StashKey[Progress]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("contract", "contract tests (accelevents_mock/harness/)")
    opts.add_to(group.addoption)


def _options(config: pytest.Config) -> opts.Options:
    if OPTIONS_KEY not in config.stash:
        try:
            config.stash[OPTIONS_KEY] = opts.resolve(opts.given_from(config.option))
        except UsageError as exc:  # one line, no traceback (`accelevents-mock test` exits 2)
            raise pytest.UsageError(str(exc)) from None
    return config.stash[OPTIONS_KEY]


@pytest.hookimpl(tryfirst=True)  # before the junitxml plugin reads --junitxml
def pytest_configure(config: pytest.Config) -> None:
    options = _options(config)
    # JUnit XML comes with every contract run unless the user chose a path already.
    if config.option.xmlpath is None:
        try:
            opts.ensure_report_dir(options.report_dir)
        except UsageError as exc:
            raise pytest.UsageError(str(exc)) from None
        config.option.xmlpath = str(options.report_dir / "junit.xml")
    if not options.in_process and not (config.option.help or config.option.collectonly):
        # Before any test: a dead target or a refused token is one line, not a run of failures.
        try:
            run = start(options)
            preflight(run)
        except UsageError as exc:
            raise pytest.UsageError(str(exc)) from None
        _begin(config, run)
    elif options.app:
        from accelevents_mock.harness.targets import app_object

        try:
            app_object(options.app)
        except UsageError as exc:
            raise pytest.UsageError(str(exc)) from None


def _begin(config: pytest.Config, run: Run) -> Run:
    """The run of this session, with its progress on the terminal from its first request."""
    config.stash[RUN_KEY] = run
    progress = Progress(f"contract run against {run.target.name}", run.options.request_budget,
                        quiet=config.get_verbosity() < 0,
                        stream=cast(IO[str], _Uncaptured(config)))
    config.stash[PROGRESS_KEY] = progress
    run.throttle.on_send = progress.advance
    progress.start()
    return run


class _Uncaptured(io.TextIOBase):
    """The terminal, past pytest's output capture (as its live logging writes)."""

    def __init__(self, config: pytest.Config) -> None:
        self.capture = config.pluginmanager.getplugin("capturemanager")

    def write(self, text: str) -> int:
        paused = self.capture.global_and_fixture_disabled() if self.capture else contextlib.nullcontext()
        with paused:
            sys.stderr.write(text)
            sys.stderr.flush()
        return len(text)

    def isatty(self) -> bool:
        return bool(sys.__stderr__ and sys.__stderr__.isatty())


def pytest_report_header(config: pytest.Config) -> list[str]:
    return [f"contract: {_options(config).summary()}",
            f"contract: reproduce with --seed {_options(config).seed}"]


@pytest.fixture(scope="session")
def contract_run(request: pytest.FixtureRequest) -> Any:
    config = request.config
    run = config.stash.get(RUN_KEY, None) or _begin(config, start(_options(config)))
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
    progress = session.config.stash.get(PROGRESS_KEY, None)
    if progress is not None:
        progress.stop()
    run.finish()
    findings = [f.__dict__ | {"phases": list(r.phases)} for r in run.engine_runs for f in r.findings]
    header = {"target": run.target.name, "seed": run.options.seed, "cases": run.cases.source,
              "writes": run.options.allow_writes, "irreversible": run.target.allows_irreversible,
              "requests": len(run.traffic), "started": run.started, "tolerated": tolerated(run)}
    paths = reports.write_all(run.options.report_dir, traffic=list(run.traffic), header=header,
                              findings=findings, writes=run.options.allow_writes,
                              irreversible=run.target.allows_irreversible)
    session.config.stash[_PATHS_KEY] = paths


_PATHS_KEY = pytest.StashKey[dict[str, Path]]()


def tolerated(run: Run) -> dict[str, int]:
    """Answers not judged as contract violations (see docs/harness.md, tolerances)."""
    notes: dict[str, int] = {}
    for result in run.engine_runs:
        for note, count in result.notes.items():
            notes[note] = notes.get(note, 0) + count
    return notes


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    run = config.stash.get(RUN_KEY, None)
    if run is None:
        return
    from accelevents_mock.harness import coverage

    stats = coverage.summary(coverage.matrix(run.traffic, writes=run.options.allow_writes,
                                             irreversible=run.target.allows_irreversible))
    tr = terminalreporter
    tr.section("contract tests")
    tr.write_line(f"seed {run.options.seed} (reproduce: --seed {run.options.seed}); target {run.target.name}")
    tr.write_line(f"requests sent: {len(run.traffic)}; documented errors observed: "
                  f"{stats['observed']}/{stats['documented']}, wrong message: {stats['wrong_message']}")
    for note, count in tolerated(run).items():
        tr.write_line(f"tolerated, not a violation: {note} x{count}")
    refused = run.refusals.message()
    if refused:
        tr.write_line(refused, red=True)
    for line in run.registrations.summary():
        tr.write_line(line)
    tr.write_line(f"run {stop_reason(run, exitstatus)}")
    for name, path in config.stash.get(_PATHS_KEY, {}).items():
        tr.write_line(f"report {name}: {path}")


def stop_reason(run: Run, exitstatus: int) -> str:
    """Why the run ended: its budget, an interruption, or every test having run."""
    if run.throttle.exhausted:
        return (f"stopped: the request budget of {run.throttle.budget} requests was used up "
                "(--request-budget; 0 for no limit)")
    if exitstatus == pytest.ExitCode.INTERRUPTED:
        return "stopped: interrupted"
    return f"finished: every selected test ran ({run.throttle.sent} requests)"
