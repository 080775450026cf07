"""Whether a request keeps the documented contract: its path, query and header parameters
(and a JSON body where one is documented), judged by openapi.yaml's own schemas.

Responses are judged by `accelevents_mock.contract.verdicts`; this is the request side, which the
harness never needs (it writes its requests from the spec). Connexion validates requests too,
but only inside its own routing, which a proxied call never enters.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

import orjson

from accelevents_mock.contract.schema import deref, oas30_validator, scalar_from_text
from accelevents_mock.contract.spec import Operation, load, operation, resolve
from accelevents_mock.contract.verdicts import RequestKind, Violation, is_json

if TYPE_CHECKING:
    from openapi_schema_validator import OAS30Validator


@dataclass(frozen=True)
class Parameter:
    name: str
    where: str  # path, query, header
    required: bool
    validator: OAS30Validator
    is_array: bool
    item_type: str | None  # the scalar type a text value is read as


@cache
def parameters(operation_id: str) -> tuple[Parameter, ...]:
    document, op = load(), operation(operation_id)
    found = []
    for raw in op.definition.get("parameters", []):
        param = deref(document, raw)
        schema = param.get("schema", {})
        is_array = schema.get("type") == "array"
        scalar = schema.get("items", {}) if is_array else schema
        found.append(Parameter(param["name"], param["in"], bool(param.get("required")),
                               oas30_validator(schema), is_array, scalar.get("type")))
    return tuple(found)


@cache
def header_names(operation_id: str) -> tuple[str, ...]:
    """The (lower-case) headers the operation documents: the only ones its verdict reads."""
    return tuple(p.name.lower() for p in parameters(operation_id) if p.where == "header")


@cache
def _body_validator(operation_id: str) -> OAS30Validator | None:
    document = load()
    body = resolve(document, operation(operation_id).definition.get("requestBody"))
    media = (body or {}).get("content", {}).get("application/json")
    return oas30_validator(deref(document, media["schema"])) if media and "schema" in media else None


def _value(param: Parameter, text: str) -> object:
    if param.is_array:
        return [] if text == "" else [scalar_from_text(item, param.item_type) for item in text.split(",")]
    return scalar_from_text(text, param.item_type)


CACHED_REQUEST_BYTES = 64 * 1024  # the verdicts of requests with bodies up to this are remembered


def request_verdict(op: Operation, url_path: str, query: str, headers: Mapping[str, str],
                    content_type: str | None, body: bytes) -> tuple[Violation, ...]:
    """`request_violations`, remembered for what the verdict depends on (the operation, the
    raw path and query, the documented headers' values, the body and its content type), so a
    client polling one URL is not judged again: several jsonschema runs per request otherwise."""
    documented = tuple((name, headers[name]) for name in header_names(op.operation_id)
                       if name in headers)
    judge = _request_again if len(body) <= CACHED_REQUEST_BYTES else _judge_request
    return judge(op, url_path, query, documented, content_type if body else None, body)


def _judge_request(op: Operation, url_path: str, query: str,
                   documented: tuple[tuple[str, str], ...], content_type: str | None,
                   body: bytes) -> tuple[Violation, ...]:
    return tuple(request_violations(op, url_path, query, dict(documented), content_type, body))


_request_again = lru_cache(maxsize=1024)(_judge_request)


def request_violations(op: Operation, url_path: str, query: str, headers: Mapping[str, str],
                       content_type: str | None, body: bytes) -> list[Violation]:
    """Every way one request (its path below the base path, raw query, lower-case headers)
    breaks what `op` documents."""
    matched = op.pattern.match(url_path)
    given = {"path": matched.groupdict() if matched else {},
             "query": dict(parse_qsl(query, keep_blank_values=True)), "header": headers}
    found = []
    for param in parameters(op.operation_id):
        text = given.get(param.where, {}).get(param.name.lower() if param.where == "header"
                                              else param.name)
        if text is None:
            if param.required:
                found.append(Violation(op.operation_id, RequestKind.MISSING_PARAMETER,
                                              f"{param.where} parameter {param.name} is required"))
            continue
        found += [Violation(op.operation_id, RequestKind.PARAMETER,
                                   f"{param.where} parameter {param.name}: {error.message}")
                  for error in param.validator.iter_errors(_value(param, text))]
    return found + _body_violations(op.operation_id, content_type, body)


def _body_violations(operation_id: str, content_type: str | None,
                     body: bytes) -> list[Violation]:
    validator = _body_validator(operation_id)
    if validator is None or not body:
        return []
    if not is_json(content_type):
        return [Violation(operation_id, RequestKind.BODY,
                                 f"the body must be sent as application/json, not {content_type!r}")]
    try:
        parsed = orjson.loads(body)
    except orjson.JSONDecodeError:
        return [Violation(operation_id, RequestKind.BODY, "the body is not JSON")]
    return [Violation(operation_id, RequestKind.BODY, f"{error.message}")
            for error in validator.iter_errors(parsed)]
