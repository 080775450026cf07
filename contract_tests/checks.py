"""Which Schemathesis checks run, with what expectations, and the Schemathesis config built from
the options."""

from __future__ import annotations

from typing import Any

from mockserver.contract import catalogue

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


def checks_section(disabled: tuple[str, ...] = ()) -> dict[str, Any]:
    section: dict[str, Any] = {name: {"enabled": name not in disabled} for name in ALL_CHECKS}
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
    return project
