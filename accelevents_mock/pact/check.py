"""A consumer's pact checked against openapi.yaml, with nothing running (`accelevents-mock pact
check FILE...`): what PactFlow's bi-directional contract testing does with a provider's spec.

For every HTTP interaction: its method and path are a documented operation; its parameters
and body are valid for it; its status is documented; its expected body fits that status'
schema and reads only fields the spec declares. A pact lists the fields its consumer reads, so
a required field it leaves out is no finding. Pact specification 2, 3 and 4 files are read.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import parse_qs

from accelevents_mock.contract.schema import oas30_validator, response_schema, schema_errors
from accelevents_mock.contract.spec import BASE_PATH, Operation, allowed_methods, load, match, resolve
from accelevents_mock.pact.schemas import items, properties

Pact = dict[str, Any]
PARTIAL_BODY_RULES = frozenset({"required", "minItems", "minProperties"})  # a pact reads a part


class NotAPact(ValueError):
    """The file is no pact this check can read."""


@dataclass(frozen=True)
class Finding:
    interaction: str  # its description
    what: str
    where: str


@dataclass(frozen=True)
class Http:
    """One HTTP interaction, whatever the pact's specification version."""

    description: str
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # names in lower case
    body: Any  # None when there is none
    status: int
    response_body: Any


def interactions(pact: Pact) -> Iterator[Http | str]:
    """The pact's HTTP interactions (the description of any other kind, which is not checked)."""
    found = pact.get("interactions") if isinstance(pact, dict) else None
    if not isinstance(found, list):
        raise NotAPact("it has no \"interactions\" list")
    for raw in found:
        if not isinstance(raw, dict) or not isinstance(raw.get("request"), dict) \
                or not isinstance(raw.get("response"), dict):
            yield str(raw.get("description", "?")) if isinstance(raw, dict) else "?"
            continue
        request, answer = raw["request"], raw["response"]
        yield Http(str(raw.get("description", "")), str(request.get("method", "GET")).upper(),
                   str(request.get("path", "")), _query(request.get("query")),
                   {str(k).lower(): _one(v) for k, v in (request.get("headers") or {}).items()},
                   _body(request), int(answer.get("status", 200)), _body(answer))


def _one(value: Any) -> str:
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def _query(query: Any) -> dict[str, list[str]]:
    if isinstance(query, str):  # specification 2
        return parse_qs(query, keep_blank_values=True)
    return {str(k): [str(x) for x in (v if isinstance(v, list) else [v])]
            for k, v in (query or {}).items()}


def _body(part: Mapping[str, Any]) -> Any:
    body = part.get("body")
    if isinstance(body, dict) and "content" in body and "contentType" in body:  # specification 4
        content = body["content"]
        if isinstance(content, str) and "json" in str(body["contentType"]):
            try:
                return json.loads(content)
            except ValueError:
                return content
        return content
    return body


def check(http: Http) -> list[Finding]:
    def finding(what: str, where: str) -> Finding:
        return Finding(http.description, what, where)

    if not http.path.startswith(BASE_PATH + "/"):
        return [finding(f"the path is outside the API's base path {BASE_PATH}", f"request path {http.path}")]
    below = http.path.removeprefix(BASE_PATH)
    operation = match(http.method, below)
    if operation is None:
        methods = allowed_methods(below)
        what = (f"{http.method} is not documented for this path (documented: {', '.join(methods)})"
                if methods else "no documented operation has this path")
        return [finding(what, f"request {http.method} {http.path}")]
    found = [finding(what, where) for what, where in request_problems(operation, http)]
    if http.status not in operation.statuses():
        documented = ", ".join(map(str, sorted(operation.statuses())))
        found.append(finding(f"status {http.status} is not documented for {operation.operation_id} "
                             f"(documented: {documented})", "response status"))
        return found
    return found + [finding(what, where) for what, where in body_problems(operation, http)]


Problem = tuple[str, str]  # what, where


def request_problems(operation: Operation, http: Http) -> Iterator[Problem]:
    document = load()
    declared = {p["name"]: p for p in (resolve(document, p) for p in
                                       operation.definition.get("parameters", []))}
    in_path = operation.pattern.match(http.path.removeprefix(BASE_PATH))
    given: dict[str, str | list[str]] = dict(in_path.groupdict()) if in_path else {}
    for name, values in http.query.items():
        if declared.get(name, {}).get("in") != "query":
            yield (f"query parameter {name!r} is not documented for {operation.operation_id}",
                   f"request query {name}")
            continue
        given[name] = values
    for name, parameter in declared.items():
        where = f"request {parameter['in']} {name}"
        value = http.headers.get(name.lower()) if parameter["in"] == "header" else given.get(name)
        if value is None:
            if parameter.get("required") and parameter["in"] != "path":
                yield f"required parameter {name!r} is missing", where
            continue
        for message in _parameter_errors(parameter, value):
            yield f"parameter {name!r}: {message}", where
    if http.body not in (None, "", {}) and "requestBody" not in operation.definition:
        yield f"{operation.operation_id} takes no request body", "request body"


def _parameter_errors(parameter: Mapping[str, Any], value: str | list[str]) -> list[str]:
    schema = parameter.get("schema", {})
    values = value if isinstance(value, list) else [value]
    if schema.get("type") == "array":
        typed: Any = [_typed(part, schema.get("items", {})) for v in values for part in v.split(",")
                      if v != ""]
    else:
        typed = _typed(values[-1], schema)
    return [e.message for e in oas30_validator(schema).iter_errors(typed)]


def _typed(text: str, schema: Mapping[str, Any]) -> Any:
    """A parameter's text as the JSON value its schema's type reads (kept as text if not one)."""
    kind = schema.get("type")
    try:
        if kind == "integer":
            return int(text)
        if kind == "number":
            return float(text)
    except ValueError:
        return text
    if kind == "boolean" and text in ("true", "false"):
        return text == "true"
    return text


def body_problems(operation: Operation, http: Http) -> Iterator[Problem]:
    schema = response_schema(operation.operation_id, http.status)
    if http.response_body in (None, ""):
        return
    if schema is None:
        yield f"{operation.operation_id} documents no body for {http.status}", "response body"
        return
    for error in schema_errors(operation.operation_id, http.status, http.response_body):
        if error.validator not in PARTIAL_BODY_RULES:
            where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
            yield f"does not fit the schema: {error.message}", f"response body ${where}"
    for where in undeclared(http.response_body, schema, "$"):
        yield "reads a field the spec does not declare", f"response body {where}"


def undeclared(value: Any, schema: Mapping[str, Any], path: str) -> Iterator[str]:
    """Where `value` holds fields `schema` does not declare (it must declare some, and allow
    no others: an object schema without properties, or with additionalProperties, admits any)."""
    if isinstance(value, dict):
        declared = properties(schema)
        open_ended = not declared or schema.get("additionalProperties") not in (None, False)
        for key, item in value.items():
            if key not in declared and not open_ended:
                yield f"{path}.{key}"
            elif key in declared:
                yield from undeclared(item, declared[key], f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from undeclared(item, items(schema), f"{path}[{index}]")


def check_pact(pact: Pact) -> tuple[int, list[Finding]]:
    """How many interactions `pact` has, and every finding in them."""
    found: list[Finding] = []
    count = 0
    for http in interactions(pact):
        count += 1
        if isinstance(http, str):
            found.append(Finding(http, "not an HTTP interaction: this check reads only those",
                                 "interaction"))
        else:
            found.extend(check(http))
    return count, found


def as_json(finding: Finding, file: str) -> dict[str, str]:
    return {"file": file, **asdict(finding)}
