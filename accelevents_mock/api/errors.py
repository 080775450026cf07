"""Framework errors (validation, routing, a store out of reach, a bug) answered in the
documented error body, as Connexion's error handlers."""

from __future__ import annotations

from connexion.exceptions import ProblemException
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from starlette.exceptions import HTTPException

from accelevents_mock.contract import catalogue
from accelevents_mock.contract.catalogue import Scenario, Transport
from accelevents_mock.contract.spec import BASE_PATH, allowed_methods, match
from accelevents_mock.http import JSON, dumps
from accelevents_mock.store import RETRY_AFTER_S, StoreUnavailable

STATUS_TO_TRANSPORT = {404: Transport.NOT_FOUND, 405: Transport.METHOD_NOT_ALLOWED,
                       413: Transport.PAYLOAD_TOO_LARGE, 415: Transport.UNSUPPORTED_MEDIA_TYPE,
                       431: Transport.HEADERS_TOO_LARGE}


def documented_error(status: int, detail: object,
                      headers: dict | None = None) -> ConnexionResponse:
    """Turn a framework error (validation, routing) into the documented error body, keeping
    the framework's headers (a 405's Allow)."""
    scenario = STATUS_TO_TRANSPORT.get(status, Scenario.BAD_REQUEST)
    case = catalogue.transport(scenario)
    body = case.body(str(detail) if detail else None)
    return ConnexionResponse(status_code=case.status, body=dumps(body), content_type=JSON,
                             headers=dict(headers or {}))


def problem(_: ConnexionRequest, exc: ProblemException) -> ConnexionResponse:
    if exc.status >= 500:
        return server_error(_, exc)
    return documented_error(exc.status, exc.detail)


def http_error(request: ConnexionRequest, exc: HTTPException) -> ConnexionResponse:
    headers = dict(exc.headers or {})
    if not (request.url.path + "/").startswith(BASE_PATH + "/"):
        return documented_error(404, outside_base_path(request.url.path))
    path = request.url.path.removeprefix(BASE_PATH)
    if exc.status_code == 404 and match(request.method, path) is not None:
        # The path is a documented operation's, but a path parameter does not fit its type
        # (`/session/abc`): that is a malformed request (the documented 400), not a missing page.
        return documented_error(400, "a path parameter does not have its documented type")
    if exc.status_code == 405:  # Connexion routes each method apart: Allow comes from the spec
        headers["Allow"] = ", ".join(allowed_methods(path))
    return documented_error(exc.status_code, exc.detail, headers)


def outside_base_path(path: str) -> str:
    """Why a path outside BASE_PATH is not found, pointing to where the API is."""
    if allowed_methods(path):  # a documented path, but for the base path
        return f"the API lies under {BASE_PATH}: {BASE_PATH}{path[:200]}"
    return (f"no such path: the API lies under {BASE_PATH} (GET /openapi.yaml lists its paths; "
            f"the control API is at /__mock)")


def server_error(_: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    body = {"errorCode": "500", "errorMessage": "Internal Server Error",
            "developerMessage": f"mock bug: {type(exc).__name__}: {exc}"}
    return ConnexionResponse(status_code=500, body=dumps(body), content_type=JSON)


def unavailable_body(exc: StoreUnavailable) -> tuple[int, bytes, dict[str, str]]:
    """A missing dependency: 503 in the documented body, with when to try again."""
    case = catalogue.transport(Transport.STORE_UNAVAILABLE)
    return case.status, dumps(case.body(str(exc))), {"Retry-After": str(RETRY_AFTER_S)}


def store_unavailable(_: ConnexionRequest, exc: StoreUnavailable) -> ConnexionResponse:
    status, body, headers = unavailable_body(exc)
    return ConnexionResponse(status_code=status, body=body, content_type=JSON, headers=headers)


HANDLERS = ((ProblemException, problem), (HTTPException, http_error),
            (StoreUnavailable, store_unavailable), (Exception, server_error))
