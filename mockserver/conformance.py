"""Checking a response against openapi.yaml: the schema of an operation's status, refs resolved.

Used by the test suites (unit and contract) so "does this body match the spec?" has one answer.
"""

from __future__ import annotations

from functools import cache

from jsonschema.exceptions import ValidationError
from openapi_schema_validator import OAS30Validator

from mockserver.spec import load_spec, operations, resolve


def _deref(spec: dict, node: object) -> object:
    node = resolve(spec, node)
    if isinstance(node, dict):
        return {k: _deref(spec, v) for k, v in node.items()}
    if isinstance(node, list):
        return [_deref(spec, v) for v in node]
    return node


@cache
def response_schema(operation_id: str, status: int) -> dict | None:
    """The JSON schema of `operation_id`'s `status` response; None when it has no body."""
    spec = load_spec()
    _, _, operation = operations(spec)[operation_id]
    response = resolve(spec, operation["responses"][str(status)])
    media = response.get("content", {}).get("application/json")
    return _deref(spec, media["schema"]) if media else None  # type: ignore[return-value]


def documented_statuses(operation_id: str) -> set[int]:
    _, _, operation = operations(load_spec())[operation_id]
    return {int(code) for code in operation["responses"]}


def conformance_errors(operation_id: str, status: int, body: object) -> list[str]:
    """Why `body` with `status` does not conform to the spec (empty when it does)."""
    if status not in documented_statuses(operation_id):
        return [f"{operation_id} does not document status {status}"]
    schema = response_schema(operation_id, status)
    if schema is None:
        return [] if body in (None, b"", "") else [f"{operation_id} {status} documents no body"]
    validator = OAS30Validator(schema)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator.iter_errors(body)]


def assert_conforms(operation_id: str, status: int, body: object) -> None:
    problems = conformance_errors(operation_id, status, body)
    if problems:
        raise ValidationError(f"{operation_id} {status}: " + "; ".join(problems[:5]))
