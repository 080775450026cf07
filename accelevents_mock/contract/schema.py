"""Does a response conform to openapi.yaml? The schema of an operation's status, refs resolved.

One answer for the mock's tests, the harness and the validating proxy.
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING, Any

from jsonschema.exceptions import ValidationError

from accelevents_mock.contract.spec import Document, load, operation, resolve

if TYPE_CHECKING:
    from openapi_schema_validator import OAS30Validator


def deref(document: Document, node: Any) -> Any:
    """`node` with every local `$ref` in it replaced by what it points to."""
    node = resolve(document, node)
    if isinstance(node, dict):
        return {key: deref(document, value) for key, value in node.items()}
    if isinstance(node, list):
        return [deref(document, value) for value in node]
    return node


@cache
def response_schema(operation_id: str, status: int) -> Document | None:
    """The JSON schema of `operation_id`'s `status` response; None when it has no body."""
    document = load()
    response = resolve(document, operation(operation_id).definition["responses"][str(status)])
    media = response.get("content", {}).get("application/json")
    return deref(document, media["schema"]) if media else None


def oas30_validator(schema: Document) -> OAS30Validator:
    """An OpenAPI 3.0 schema validator. openapi_schema_validator (with the pydantic it loads)
    is imported on first use: it would add about a seventh of a second to every cold start, and
    a plain mock never judges a response against the spec (the proxy and the harness do)."""
    from openapi_schema_validator import OAS30Validator

    return OAS30Validator(schema)


@cache
def _validator(operation_id: str, status: int) -> OAS30Validator | None:
    schema = response_schema(operation_id, status)
    return None if schema is None else oas30_validator(schema)


def documented_statuses(operation_id: str) -> set[int]:
    return operation(operation_id).statuses()


def schema_errors(operation_id: str, status: int, body: object) -> list[ValidationError]:
    """Where `body` breaks the schema of a documented `status` (each error names its
    `validator`: "type", "required", "enum"...)."""
    validator = _validator(operation_id, status)
    return [] if validator is None else list(validator.iter_errors(body))


def describe(error: ValidationError) -> str:
    return f"{'/'.join(map(str, error.absolute_path))}: {error.message}"


def conformance_errors(operation_id: str, status: int, body: object) -> list[str]:
    """Why `body` with `status` does not conform to the spec (empty when it does)."""
    if status not in documented_statuses(operation_id):
        return [f"{operation_id} does not document status {status}"]
    if response_schema(operation_id, status) is None:
        return [] if body in (None, b"", "") else [f"{operation_id} {status} documents no body"]
    return [describe(e) for e in schema_errors(operation_id, status, body)]


def assert_conforms(operation_id: str, status: int, body: object) -> None:
    problems = conformance_errors(operation_id, status, body)
    if problems:
        raise ValidationError(f"{operation_id} {status}: " + "; ".join(problems[:5]))


def scalar_from_text(text: str, kind: str | None) -> object:
    """A text value read as the schema's scalar type (left as text when it is not one)."""
    if kind == "integer" and re.fullmatch(r"-?\d+", text):
        return int(text)
    if kind == "number":
        try:
            return float(text)
        except ValueError:
            return text
    if kind == "boolean" and text in ("true", "false"):
        return text == "true"
    return text
