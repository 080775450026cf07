"""One result type for every Schemathesis-driven run (property, stateful, long fuzz), and one way
from a failed check to a finding: redacted, and never for an answer a correct deployment may give
(`checks.tolerance`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from accelevents_mock.harness.checks import tolerance

MESSAGE_LIMIT = 2000


@dataclass
class Finding:
    """One failed check (or engine error), already redacted."""

    operation: str  # operationId, or the engine's label when none applies
    check: str
    title: str
    message: str
    request: str  # METHOD url, redacted
    status: int | None
    phase: str

    def describe(self) -> str:
        status = f" -> {self.status}" if self.status is not None else ""
        return f"[{self.check}] {self.title}\n    {self.request}{status}\n    {self.message}"


@dataclass
class EngineRun:
    """What one run saw: its findings, and how much it sent and to what."""

    phases: tuple[str, ...]
    findings: list[Finding] = field(default_factory=list)
    scenarios: Counter[str] = field(default_factory=Counter)  # operation -> scenarios run
    requests: Counter[str] = field(default_factory=Counter)  # generation mode ("" if unknown) -> sent
    answered: Counter[str] = field(default_factory=Counter)  # operation -> answers the target gave
    statuses: Counter[str] = field(default_factory=Counter)  # "positive 404" -> count
    failed_checks: Counter[str] = field(default_factory=Counter)  # check -> responses it failed
    failed: int = 0  # responses with at least one failed check
    stopped: str | None = None  # why the run ended early (budget)
    # Answers a correct deployment may give that are not the contract's (501 to TRACE, a proxy's
    # 503 with Retry-After): reported here, never as findings. note -> count
    notes: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    max_findings: int | None = None  # per run; the first few say what is wrong

    @property
    def total(self) -> int:
        return sum(self.requests.values())

    def for_operation(self, operation_id: str) -> list[Finding]:
        return [f for f in self.findings if f.operation == operation_id]

    def checks_failed(self) -> set[str]:
        return {f.check for f in self.findings}

    def sent(self, mode: str, status: int, operation: str | None = None) -> None:
        """One answer came back (a request that got none is an engine error, not counted)."""
        self.requests[mode] += 1
        if operation is not None:
            self.answered[operation] += 1
        self.statuses[f"{mode} {status}".strip()] += 1

    def judge(self, *, operation: str, declared_method: str, method: str, url: str, status: int | None,
              headers: Any, failures: Iterable[tuple[str, Any]], phase: str,
              redact: Callable[[str], str]) -> None:
        """Record the failed checks (check name, Schemathesis failure) of one response, unless a
        tolerance applies to it (`noted` counts those when the response comes)."""
        failures = list(failures)
        if not failures or (status is not None and tolerance(declared_method, method, status, headers)):
            return
        self.failed += 1
        for check, failure in failures:
            self.failed_checks[check] += 1
            if self.max_findings is not None and len(self.findings) >= self.max_findings:
                continue
            self.findings.append(Finding(
                operation=operation, check=check, title=redact(failure.title),
                message=redact(str(failure.message))[:MESSAGE_LIMIT],
                request=redact(f"{method} {url}"), status=status, phase=phase))

    def noted(self, declared_method: str, method: str, status: int, headers: Any) -> str | None:
        """Count a response a tolerance applies to; the note, or None."""
        note = tolerance(declared_method, method, status, headers)
        if note is not None:
            self.notes[note] += 1
        return note


def check_name(failure: Any) -> str:
    """The check a Schemathesis failure comes from (its class names it)."""
    checks = getattr(failure, "checks", ()) or ()
    return str(checks[0]) if checks else str(failure.title)
