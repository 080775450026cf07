"""Building responses: JSON bodies with an explicit Content-Type, and the documented error body."""

from __future__ import annotations

import json
from collections.abc import Mapping

import orjson
from starlette.responses import Response

from accelevents_mock.contract.catalogue import ErrorCase

JSON = "application/json"
JSON_BYTES = JSON.encode()


# orjson writes the same bytes as the json module below (compact, UTF-8, int keys as strings)
# several times faster. What json would refuse (datetimes, dataclasses, huge ints) goes to json,
# so it fails the same way.
_ORJSON_OPTIONS = (orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME
                   | orjson.OPT_PASSTHROUGH_DATACLASS)


def _refuse(value: object) -> object:
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def dumps(body: object) -> bytes:
    try:
        return orjson.dumps(body, default=_refuse, option=_ORJSON_OPTIONS)
    except TypeError:
        return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


class JsonResponse(Response):
    """Starlette's Response of an encoded JSON body. Without extra headers, its two headers
    are set directly, as Starlette's `init_headers` would set them: that general walk cost a
    fortieth of a computed answer."""

    media_type = JSON

    def __init__(self, body: bytes, status_code: int = 200,
                 headers: Mapping[str, str] | None = None) -> None:
        if headers or status_code < 200 or status_code in (204, 304):
            super().__init__(body, status_code, headers)
            return
        self.status_code, self.body, self.background = status_code, body, None
        self.raw_headers = [(b"content-length", b"%d" % len(body)), (b"content-type", JSON_BYTES)]


def json_response(body: object, status: int = 200, headers: dict | None = None) -> Response:
    return JsonResponse(dumps(body), status, headers)


def void_response(headers: dict | None = None) -> Response:
    """The documents' "void response with 200 status"."""
    return Response(b"", status_code=200, headers=headers)


def error_response(case: ErrorCase, developer_message: str | None = None,
                   headers: dict[str, str] | None = None,
                   values: Mapping[str, object] | None = None) -> Response:
    """The documented error body of `case`; `values` fill its message's placeholders."""
    return json_response(case.body(developer_message, **(values or {})), case.status, headers)
