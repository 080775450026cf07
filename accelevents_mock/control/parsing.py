"""Reading control requests: JSON bodies within bounds, whole numbers, world sizes; a bad one is a
`ControlError`, answered in the documented error body."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from starlette.requests import Request

from accelevents_mock.contract import catalogue
from accelevents_mock.contract.catalogue import Transport

MAX_CONTROL_BODY = 16 * 1024 * 1024  # snapshots of big worlds are large
MAX_WORLD_SIZE = 100_000  # sessions or attendees a reset or snapshot may ask for

ControlBody = dict[str, Any]  # a body of the control API, as its own spec describes it
CONTROL_SPEC = Path(__file__).with_name("openapi.yaml")  # the control API's own spec


class ControlError(ValueError):
    """A bad control request: answered with the documented 400 body (or `case`'s)."""

    def __init__(self, message: str, case: catalogue.ErrorCase = catalogue.BAD_REQUEST) -> None:
        super().__init__(message)
        self.case = case


def is_json(content_type: str) -> bool:
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type == "application/json" or media_type.endswith("+json")


def _finite(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError(f"number out of range: {text[:40]}")
    return value


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON number")


async def read_json(request: Request) -> ControlBody:
    raw = await request.body()
    if len(raw) > MAX_CONTROL_BODY:
        raise ControlError("body too large", catalogue.transport(Transport.PAYLOAD_TOO_LARGE))
    if not raw.strip():
        return {}
    content_type = request.headers.get("content-type")
    if content_type is not None and not is_json(content_type):
        raise ControlError(f"send the body as application/json, not {content_type[:80]}",
                           catalogue.transport(Transport.UNSUPPORTED_MEDIA_TYPE))
    try:
        body = json.loads(raw.decode("utf-8"), parse_float=_finite, parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError) as exc:  # JSONDecodeError is a ValueError
        raise ControlError(f"body is not UTF-8 JSON: {exc}") from exc
    except RecursionError as exc:
        raise ControlError("body is nested too deeply") from exc
    if not isinstance(body, dict):
        raise ControlError("body must be a JSON object")
    accepted = body_fields(request.url.path, request.method)
    unknown = sorted(set(body) - accepted)
    if unknown:
        raise ControlError(f"unknown field(s) {', '.join(map(repr, unknown))[:200]}: "
                           f"{request.method} {request.url.path} accepts "
                           f"{', '.join(sorted(accepted)) or 'no field'}")
    return body


@cache
def body_fields(path: str, method: str) -> frozenset[str]:
    """The fields the control spec describes for this call's body (read-only ones included: a
    body read by GET may be sent back as it is)."""
    spec = yaml.safe_load(CONTROL_SPEC.read_text(encoding="utf-8"))
    operation = spec["paths"].get(path, {}).get(method.lower(), {})
    schema = operation.get("requestBody", {}).get("content", {}).get("application/json", {}) \
        .get("schema", {})
    if "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return frozenset(schema.get("properties", {}))


def whole_number(body: dict, key: str) -> int | None:
    """`body[key]` as an int (2.0 will do, true and 2.5 will not); None if absent."""
    if key not in body:
        return None
    value = body[key]
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise ControlError(f"{key} must be a whole number, not {value!r:.40}")
    return int(value)


def flag(body: dict, key: str) -> bool | None:
    """`body[key]` as true or false; None if absent."""
    if key not in body:
        return None
    if not isinstance(body[key], bool):
        raise ControlError(f"{key} must be true or false, not {body[key]!r:.40}")
    return bool(body[key])


def world_size(body: dict, key: str, default: int | None, lowest: int) -> int | None:
    """`body[key]` as a whole number from `lowest` to MAX_WORLD_SIZE (default if absent)."""
    value = whole_number(body, key)
    if value is None:
        return default
    if not lowest <= value <= MAX_WORLD_SIZE:
        raise ControlError(f"{key} must be between {lowest} and {MAX_WORLD_SIZE}")
    return value
