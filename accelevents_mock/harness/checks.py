"""Which Schemathesis checks run, with what expectations, and the Schemathesis config built from
the options; and the harness's own checks of the documented error contract.

Our checks are plain functions registered with `@schemathesis.check`, so the property run, the
stateful run and the long fuzz run all apply them to every response. They judge through
`accelevents_mock.contract.verdicts`, the one implementation of "is this answer documented?". Every
check (built-in and ours) is listed in docs/harness.md; tests/test_harness_checks.py
keeps that table complete.
"""

from __future__ import annotations

import json
from typing import Any

import schemathesis
from schemathesis.core.failures import Failure, Severity
from schemathesis.generation.meta import REQUEST_SHAPE_PROBES, coverage_scenario

from accelevents_mock.contract import catalogue
from accelevents_mock.contract import spec as contract
from accelevents_mock.contract.verdicts import Kind, Violation, response_violations

# Schemathesis 4.32's full built-in set (names as in schemathesis/config/_checks.py).
ALL_CHECKS = (
    "not_a_server_error", "status_code_conformance", "content_type_conformance",
    "response_schema_conformance", "response_headers_conformance", "negative_data_rejection",
    "positive_data_acceptance", "ignored_auth", "missing_required_header", "unsupported_method",
    "allow_header_conformance", "use_after_free", "ensure_resource_availability",
)
# Send a method the operation does not declare (TRACE, PATCH...): never against a read-only target.
METHOD_PROBE_CHECKS = ("unsupported_method", "allow_header_conformance")
POSITIVE_DEFAULT = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]
# The harness's own checks, defined below.
OUR_CHECKS = ("documented_error_body", "documented_error_message", "documented_business_rule")


def positive_statuses(operation_id: str) -> list[str]:
    """Statuses a schema-valid request may legitimately get for this operation.

    A valid request can still break a documented business rule: register for a full session
    (406), too late (407), join a session of the wrong format (400 4002001). Those statuses come
    from the error catalogue, minus the generic bad-request, which would mean real rejection of
    valid input.
    """
    extra = {str(case.status) for case in catalogue.cases_for(operation_id)
             if case is not catalogue.BAD_REQUEST}
    return POSITIVE_DEFAULT + sorted(extra - set(POSITIVE_DEFAULT))


def business_rule_cases(operation_id: str) -> list[catalogue.ErrorCase]:
    """The documented answers a valid request may get beyond POSITIVE_DEFAULT (406 capacity,
    407 too late, 400 4002001 wrong format...). A status alone cannot tell the wrong-format 400
    from a generic one, so `documented_business_rule` looks at the errorCode."""
    return [case for case in catalogue.cases_for(operation_id)
            if case is not catalogue.BAD_REQUEST and str(case.status) not in POSITIVE_DEFAULT]


def checks_section(disabled: tuple[str, ...] = ()) -> dict[str, Any]:
    section: dict[str, Any] = {name: {"enabled": name not in disabled}
                               for name in (*ALL_CHECKS, *OUR_CHECKS)}
    # Not in scope: needs two identities owning objects; our API has no per-object ownership.
    section["object_level_authorization"] = {"enabled": False}
    return section


def schemathesis_config(*, seed: int, max_examples: int, headers: dict[str, str],
                        operation_headers: dict[str, dict[str, str]],
                        rate_limit: str | None, read_only: bool, disabled_checks: tuple[str, ...],
                        operation_ids: list[str]) -> dict[str, Any]:
    """The `schemathesis.toml` equivalent for this run, as a dict."""
    disabled = tuple(disabled_checks) + (METHOD_PROBE_CHECKS if read_only else ())
    project: dict[str, Any] = {
        "seed": seed,
        "suppress-health-check": ["all"],  # a slow staging server must not fail the run
        "headers": headers,
        "generation": {"max-examples": max_examples, "database": "none"},
        "checks": checks_section(disabled),
        "phases": {"stateful": {"max-steps": 6}},
        "operations": [],
    }
    if rate_limit:
        project["rate-limit"] = rate_limit
    if read_only:
        project["phases"]["coverage"] = {"unexpected-methods": []}
    for operation_id in operation_ids:
        entry: dict[str, Any] = {
            "include-operation-id": operation_id,
            "checks": {"positive_data_acceptance": {
                "expected-statuses": positive_statuses(operation_id)}},
        }
        if operation_id in operation_headers:
            entry["headers"] = {**headers, **operation_headers[operation_id]}
        project["operations"].append(entry)
    if len(operation_ids) == 1:
        _raise_to_project(project)
    return project


def _raise_to_project(project: dict[str, Any]) -> None:
    """The one operation's entry merged into the project level: the same settings, but without
    per-operation entries Schemathesis resolves its configuration on a fast path (with entries,
    it resolves them again for every draw: a tenth of a single-operation run's CPU time)."""
    (entry,) = project.pop("operations")
    del entry["include-operation-id"]
    for name, check in entry.pop("checks", {}).items():
        project["checks"].setdefault(name, {}).update(check)
    project.update(entry)


# -- the harness's own checks ---------------------------------------------------------------------

class UndocumentedErrorBody(Failure):
    """An error answer whose status, body or errorCode the contract does not document for the
    operation."""

    code = "ST901"
    checks = ("documented_error_body",)
    kind_title = "Undocumented error answer"


class UndocumentedErrorMessage(Failure):
    """A documented errorCode carrying another message than the catalogue's."""

    code = "ST901"
    checks = ("documented_error_message",)
    kind_title = "Documented error code with another message"


class BusinessRuleNotNamed(Failure):
    """A valid request answered with a business-rule status whose body does not name one of the
    documented business-rule cases (a generic 400 `bad-request` for valid input, say)."""

    code = "ST901"
    checks = ("documented_business_rule",)
    kind_title = "Valid request rejected without a documented business rule"


BODY_KINDS = frozenset(Kind) - {Kind.ERROR_MESSAGE}


def operation_id(case: Any) -> str | None:
    """The operationId of a generated case (from the default contract, which verdicts judge by)."""
    return contract.by_label().get(case.operation.label)


def judged(case: Any, response: Any) -> str | None:
    """The operation whose documented answers this response is judged against; None for requests
    that are not the operation's own (an undeclared method, a deliberately malformed request
    shape: their answers are the transport's, checked by the built-in checks)."""
    if coverage_scenario(case) in REQUEST_SHAPE_PROBES:
        return None
    if str(response.request.method).upper() != case.operation.method.upper():
        return None
    return operation_id(case)


def _body(response: Any) -> object:
    try:
        return json.loads(response.content) if response.content else None
    except ValueError:
        return None


def error_verdicts(case: Any, response: Any) -> tuple[str, list[Violation]]:
    op = judged(case, response)
    if op is None or response.status_code < 400:
        return "", []
    content_type = (response.headers.get("content-type") or [None])[0]
    return op, response_violations(op, response.status_code, content_type, _body(response))


def _message(violations: list[Violation]) -> str:
    return "\n".join(v.describe() for v in violations)


@schemathesis.check
def documented_error_body(ctx: Any, response: Any, case: Any) -> bool | None:
    """Every 4xx/5xx has a status documented for the operation and the documented error body,
    with an errorCode the catalogue lists for that operation and status."""
    op, violations = error_verdicts(case, response)
    found = [v for v in violations if v.kind in BODY_KINDS]
    if found:
        raise UndocumentedErrorBody(operation=case.operation.label, message=_message(found),
                                    severity=Severity.MEDIUM)
    return None


@schemathesis.check
def documented_error_message(ctx: Any, response: Any, case: Any) -> bool | None:
    """A documented errorCode comes with its catalogue message (a placeholder matches any number)."""
    op, violations = error_verdicts(case, response)
    found = [v for v in violations if v.kind is Kind.ERROR_MESSAGE]
    if found:
        raise UndocumentedErrorMessage(operation=case.operation.label, message=_message(found))
    return None


@schemathesis.check
def documented_business_rule(ctx: Any, response: Any, case: Any) -> bool | None:
    """A valid request answered with a business-rule status (400 wrong format, 406, 407) must name
    a business rule documented for the operation and that status, not a generic error."""
    meta = case.meta
    op = judged(case, response)
    if op is None or meta is None or not meta.generation.mode.is_positive:
        return None
    rules = [c for c in business_rule_cases(op) if c.status == response.status_code]
    if not rules:
        return None
    body = _body(response)
    code = body.get("errorCode") if isinstance(body, dict) else None
    if not any(rule.code == code for rule in rules):
        named = ", ".join(f"{rule.code} {rule.scenario}" for rule in rules)
        raise BusinessRuleNotNamed(
            operation=case.operation.label,
            message=f"valid input answered {response.status_code} with errorCode {code!r}; the "
                    f"documented business rules for {op} and {response.status_code} are: {named}")
    return None


# -- what a correct deployment may answer that is not the contract's ---------------------------

# RFC 9110: an undeclared method may get 501 as well as 405. A 405 is what `unsupported_method`
# expects (and it must carry Allow), so only 501 needs tolerating.
NOT_IMPLEMENTED = frozenset({501})
UNAVAILABLE = frozenset({502, 503, 504})  # a proxy's answer while the target is away
MAX_RETRY_WAIT = 30.0  # seconds: the longest Retry-After the harness honours


def tolerance(declared_method: str, method: str, status: int, headers: Any) -> str | None:
    """Why an answer is not the contract's to judge (None: it is). `headers` maps lower-case
    names to a value or a list of values."""
    if method.upper() != declared_method.upper() and status in NOT_IMPLEMENTED:
        return f"{method.upper()} not implemented by the target ({status}): correct (RFC 9110)"
    if status in UNAVAILABLE and _header(headers, "retry-after") is not None:
        return f"target unavailable ({status} with Retry-After)"
    return None


def retry_after(headers: Any) -> float | None:
    """Seconds a Retry-After header asks for (a date counts as one second)."""
    value = _header(headers, "retry-after")
    if value is None:
        return None
    return float(value) if str(value).strip().isdigit() else 1.0


def _header(headers: Any, name: str) -> str | None:
    for key, value in (headers or {}).items():
        if str(key).lower() == name:
            return str(value[0] if isinstance(value, list) and value else value)
    return None
