"""Building responses: JSON bodies with an explicit Content-Type, and the documented error body."""

from __future__ import annotations

import json

from starlette.responses import Response

from mockserver.errors import ErrorCase

JSON = "application/json"


def dumps(body: object) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def json_response(body: object, status: int = 200, headers: dict | None = None) -> Response:
    return Response(dumps(body), status_code=status, media_type=JSON, headers=headers)


def void_response(headers: dict | None = None) -> Response:
    """The documents' "void response with 200 status"."""
    return Response(b"", status_code=200, headers=headers)


def error_response(case: ErrorCase, developer_message: str | None = None,
                   headers: dict | None = None, **values: object) -> Response:
    return json_response(case.body(developer_message, **values), case.status, headers)
