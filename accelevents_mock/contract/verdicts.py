"""Whether one response keeps the documented contract: plain functions of plain values.

The harness's Schemathesis checks (`accelevents_mock/harness/checks.py`) and the validating proxy judge
responses with these, so "is this answer documented?" has one answer everywhere. Each problem
is a `Violation` of one `Kind`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from accelevents_mock.contract.catalogue import cases_for
from accelevents_mock.contract.schema import describe, documented_statuses, response_schema, schema_errors

JSON_TYPES = ("application/json", "+json")


class Kind(StrEnum):
    UNDOCUMENTED_STATUS = "undocumented-status"  # the operation does not document this status
    CONTENT_TYPE = "content-type"  # a documented body not sent as JSON
    TYPE = "type"  # a value of another type than the schema's
    MISSING_FIELD = "missing-field"  # a required field absent
    SCHEMA = "schema"  # any other schema rule broken (enum, format, range...)
    ERROR_BODY = "error-body"  # an error answer without the documented error body
    ERROR_CODE = "error-code"  # an errorCode not documented for this operation and status
    ERROR_MESSAGE = "error-message"  # a documented errorCode with another message


class RequestKind(StrEnum):
    """What a request (as the validating proxy sees it) can break."""

    MISSING_PARAMETER = "request-missing-parameter"  # a required parameter absent
    PARAMETER = "request-parameter"  # a parameter that breaks its schema (type, range, pattern)
    BODY = "request-body"  # a body that breaks the documented request body (or is not JSON)


@dataclass(frozen=True)
class Violation:
    operation: str
    kind: Kind | RequestKind
    message: str

    def describe(self) -> str:
        return f"{self.operation}: [{self.kind}] {self.message}"


def response_violations(operation_id: str, status: int, content_type: str | None,
                        body: object) -> list[Violation]:
    """Every way one answer (`body` already parsed from JSON, or None) breaks the contract."""
    if status not in documented_statuses(operation_id):
        documented = ", ".join(map(str, sorted(documented_statuses(operation_id))))
        return [Violation(operation_id, Kind.UNDOCUMENTED_STATUS,
                          f"status {status} is not documented (documented: {documented})")]
    if response_schema(operation_id, status) is None:
        return []
    if not is_json(content_type):
        return [Violation(operation_id, Kind.CONTENT_TYPE,
                          f"status {status} is documented as JSON, got {content_type!r}")]
    found = [Violation(operation_id, _kind(error.validator), describe(error))
             for error in schema_errors(operation_id, status, body)]
    if status >= 400:
        found += error_violations(operation_id, status, body)
    return found


def error_violations(operation_id: str, status: int, body: object) -> list[Violation]:
    """An error answer must carry a code the catalogue lists for this operation and status,
    with that code's message (a placeholder stands for any whole number)."""
    if not isinstance(body, dict) or not {"errorCode", "errorMessage"} <= body.keys():
        return [Violation(operation_id, Kind.ERROR_BODY,
                          f"status {status} without the documented error body: {str(body)[:200]}")]
    documented = [case for case in cases_for(operation_id) if case.status == status]
    code, message = body["errorCode"], body["errorMessage"]
    same_code = [case for case in documented if case.code == code]
    if not same_code:
        codes = ", ".join(sorted({case.code for case in documented})) or "none"
        return [Violation(operation_id, Kind.ERROR_CODE,
                          f"errorCode {code!r} is not documented for status {status} (documented: {codes})")]
    if not any(case.matches(code, message) for case in same_code):
        expected = " | ".join(case.message for case in same_code)
        return [Violation(operation_id, Kind.ERROR_MESSAGE, f"errorCode {code!r} with message "
                          f"{str(message)[:200]!r}; documented: {expected!r}")]
    return []


def is_json(content_type: str | None) -> bool:
    media = (content_type or "").split(";")[0].strip().lower()
    return media.endswith(JSON_TYPES)


def _kind(validator: object) -> Kind:
    return {"type": Kind.TYPE, "required": Kind.MISSING_FIELD}.get(str(validator), Kind.SCHEMA)
