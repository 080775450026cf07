"""The catalogue of every error the API can answer: one place for each code and message.

The server raises these, the spec's examples are checked against them, and the harness's checks
and coverage report are built from them. A case whose status, code or message is not shown by an
Accelevents document says why in `inferred`.

Which operations a case applies to is not listed here: it is read from openapi.yaml, where every
documented error is a named example (named after its scenario) under its operation and status.
A spec example that no case explains stops the import, so the two cannot drift apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TypedDict

from accelevents_mock.contract.spec import response_examples

DOCS = "fixtures/docs"
REFERENCE = "https://developer.accelevents.com/reference"
LIMIT_PLACEHOLDER = "{number_of_sessions_permitted}"


class Scenario(StrEnum):
    """The name that forces a documented error: X-Mock-Scenario, mock_scenario cookie, __scenario."""

    BAD_REQUEST = "bad-request"
    NOT_AUTHORIZED = "not-authorized"
    FORBIDDEN = "forbidden"
    NOT_EVENT_HOST = "not-event-host"
    EVENT_NOT_FOUND = "event-not-found"
    SESSION_NOT_FOUND = "session-not-found"
    CAPACITY_REACHED = "capacity-reached"
    TICKET_NOT_PERMITTED = "ticket-not-permitted"
    SESSION_LIMIT_REACHED = "session-limit-reached"
    NOT_REGISTERED_FOR_EVENT = "not-registered-for-event"
    TIME_LIMIT_EXPIRED = "time-limit-expired"
    RECORDING_UNAVAILABLE = "recording-unavailable"
    WRONG_SESSION_FORMAT = "wrong-session-format"
    ALREADY_JOINED = "already-joined"


class Transport(StrEnum):
    """Errors of the transport, not of an operation: raised before any operation is known."""

    NOT_FOUND = "not-found"
    METHOD_NOT_ALLOWED = "method-not-allowed"
    PAYLOAD_TOO_LARGE = "payload-too-large"
    HEADERS_TOO_LARGE = "headers-too-large"
    UNSUPPORTED_MEDIA_TYPE = "unsupported-media-type"
    ADMIN_TOKEN_REQUIRED = "admin-token-required"
    STORE_UNAVAILABLE = "store-unavailable"
    UPSTREAM_UNREACHABLE = "upstream-unreachable"  # the proxy's target: no connection
    UPSTREAM_TIMEOUT = "upstream-timeout"  # the proxy's target: no answer in time
    CONTRACT_BROKEN = "contract-broken"  # the proxy's target answered against the contract


class ErrorBody(TypedDict):
    """The documented error body (openapi.yaml `ErrorResponse`)."""

    errorCode: str
    errorMessage: str
    developerMessage: str | None


@dataclass(frozen=True, slots=True)
class ErrorCase:
    scenario: Scenario | Transport
    status: int
    code: str  # the application error code, carried as `errorCode`
    message: str  # exact text, carried as `errorMessage`; may hold LIMIT_PLACEHOLDER
    source: str | None = None  # the vendored document that shows this message verbatim
    url: str | None = None  # the public page it comes from
    inferred: str | None = None  # why any part of it is our choice, not the documents'
    operations: tuple[str, ...] = ()  # read from the spec's examples (see `_applied`)

    @property
    def example_name(self) -> str:
        """Name of this case's example in openapi.yaml (unique per operation)."""
        return str(self.scenario)

    def render(self, **values: object) -> str:
        text = self.message
        for key, value in values.items():
            text = text.replace("{" + key + "}", str(value))
        return text

    def message_pattern(self) -> re.Pattern[str]:
        """The message exactly, a placeholder standing for any whole number."""
        parts = re.split(r"(\{[a-z_]+\})", self.message)
        return re.compile("".join(r"\d+" if re.fullmatch(r"\{[a-z_]+\}", part) else re.escape(part)
                                  for part in parts))

    def matches(self, code: object, message: object) -> bool:
        return code == self.code and bool(self.message_pattern().fullmatch(str(message)))

    def body(self, developer_message: str | None = None, **values: object) -> ErrorBody:
        return {"errorCode": self.code, "errorMessage": self.render(**values),
                "developerMessage": developer_message}


GENERIC_CODE = "the HTTP status is used as errorCode: the documents give no app code for it"
S = Scenario

_DOCUMENTED: tuple[ErrorCase, ...] = (
    # -- generic, documented on every reference page ---------------------------------------
    ErrorCase(S.BAD_REQUEST, 400, "400",
              "The request could not be understood by the server due to malformed syntax.",
              f"{DOCS}/join-session.txt", f"{REFERENCE}/join-session", GENERIC_CODE),
    ErrorCase(S.NOT_AUTHORIZED, 401, "4010101", "Not authorized.",
              f"{DOCS}/join-session.txt", f"{REFERENCE}/join-session"),
    ErrorCase(S.FORBIDDEN, 403, "403",
              "Accessing the resource you were trying to reach is forbidden.",
              f"{DOCS}/join-session.txt", f"{REFERENCE}/join-session",
              GENERIC_CODE + "; given when the caller is not registered for the session"),
    ErrorCase(S.NOT_EVENT_HOST, 403, "4030201", "Not Event Host",
              f"{DOCS}/session-analytics.txt",
              f"{REFERENCE}/get-session-analytics-data-by-session-id"),
    ErrorCase(S.EVENT_NOT_FOUND, 404, "4040200", "Event not found.",
              f"{DOCS}/join-session.txt", f"{REFERENCE}/join-session"),
    # -- session not found: three documented spellings, by operation ------------------------
    ErrorCase(S.SESSION_NOT_FOUND, 404, "404800", "Session not found.",
              f"{DOCS}/join-session.txt", f"{REFERENCE}/join-session"),
    ErrorCase(S.SESSION_NOT_FOUND, 404, "404800", "Session not found!",
              f"{DOCS}/workshop-session.txt", f"{REFERENCE}/user-register-event-ticket-id"),
    ErrorCase(S.SESSION_NOT_FOUND, 404, "404800", "Session Not Found",
              f"{DOCS}/session-analytics.txt",
              f"{REFERENCE}/get-session-analytics-data-by-session-id"),
    # -- registration ("Join session" step of the three flows) ------------------------------
    ErrorCase(S.CAPACITY_REACHED, 406, "4062001", "Max user registration capacity reached",
              f"{DOCS}/workshop-session.txt", None,
              "app code: the documents give only HTTP 406"),
    ErrorCase(S.TICKET_NOT_PERMITTED, 406, "4062005",
              "Your ticket does not permit access to this session",
              f"{DOCS}/workshop-session.txt", None,
              "app code: the guides give only HTTP 406; the Register/Bookmark page lists 4042005 "
              "'Your ticket type does not grant access to this session' for the same check"),
    ErrorCase(S.SESSION_LIMIT_REACHED, 406, "4062006",
              "Your registration type only permits registering for "
              f"{LIMIT_PLACEHOLDER} sessions. If you would like to register for this session "
              "please un-register from a different session first.",
              f"{DOCS}/regular-session.txt", None,
              "app code: the documents give only HTTP 406"),
    ErrorCase(S.NOT_REGISTERED_FOR_EVENT, 406, "4068910",
              "You have not yet registered for the event. You must register for the event "
              "before you can register for individual sessions.",
              None, f"{REFERENCE}/user-register-event-ticket-id",
              "HTTP status taken from the code's 406 prefix; given to a user without a ticket"),
    ErrorCase(S.TIME_LIMIT_EXPIRED, 407, "4072002",
              "The time limit for accessing this session is expired.",
              f"{DOCS}/regular-session.txt", f"{REFERENCE}/user-register-event-ticket-id"),
    ErrorCase(S.RECORDING_UNAVAILABLE, 407, "4072003",
              "The recording of this session is only available to users who watched it live.",
              None, f"{REFERENCE}/user-register-event-ticket-id",
              "HTTP status taken from the code's 407 prefix"),
    # -- our choices where the documents are silent -----------------------------------------
    ErrorCase(S.WRONG_SESSION_FORMAT, 400, "4002001",
              "This operation is not available for this session format.",
              inferred="the documents do not say what joining a non-workshop or setting "
              "availability in a non-networking session returns"),
    ErrorCase(S.ALREADY_JOINED, 406, "4062007",
              "You have already joined this session and can no longer un-register from it.",
              inferred="support article: a joined live session is counted and can no longer "
              "be un-registered; no API code is documented"),
)

# No operation is routed when these happen, so they are not in openapi.yaml's operations; they
# share the body of every other error.
T = Transport
TRANSPORT: tuple[ErrorCase, ...] = (
    ErrorCase(T.NOT_FOUND, 404, "404", "The resource you were trying to reach is not found.",
              f"{DOCS}/join-session.txt", f"{REFERENCE}/join-session",
              GENERIC_CODE + "; given for paths the API does not have"),
    ErrorCase(T.METHOD_NOT_ALLOWED, 405, "405",
              "The method is not allowed for the requested URL.", inferred="no document lists 405"),
    ErrorCase(T.PAYLOAD_TOO_LARGE, 413, "413", "The request body is too large.",
              inferred="no document lists 413"),
    ErrorCase(T.HEADERS_TOO_LARGE, 431, "431", "The request headers are too large.",
              inferred="no document lists 431"),
    ErrorCase(T.UNSUPPORTED_MEDIA_TYPE, 415, "415",
              "The request body must be sent as application/json.",
              inferred="no document lists 415"),
    ErrorCase(T.ADMIN_TOKEN_REQUIRED, 403, "403", "The control API needs the mock's admin token.",
              inferred="the mock's own /__mock API, not Accelevents'"),
    ErrorCase(T.STORE_UNAVAILABLE, 503, "503",
              "The service is temporarily unavailable. Please try again later.",
              inferred="no document lists 503; given while the mock's shared store (Redis) "
              "cannot be reached, with Retry-After"),
    # -- the validating proxy (--proxy): the mock's own answers about its target ------------
    ErrorCase(T.UPSTREAM_UNREACHABLE, 502, "502", "The upstream API could not be reached.",
              inferred="the mock's proxy, not Accelevents'; given without --proxy-fallback"),
    ErrorCase(T.UPSTREAM_TIMEOUT, 504, "504", "The upstream API did not answer in time.",
              inferred="the mock's proxy, not Accelevents'; given without --proxy-fallback"),
    ErrorCase(T.CONTRACT_BROKEN, 502, "502", "The upstream API answered against the contract.",
              inferred="the mock's proxy with --proxy-strict; developerMessage lists the "
              "violations"),
)


class CatalogueMismatch(Exception):
    """openapi.yaml documents an error example that no catalogue case explains."""


def _applied(cases: tuple[ErrorCase, ...]) -> tuple[ErrorCase, ...]:
    """Each case with the operations whose spec examples show it (name, status, code, message)."""
    found: dict[ErrorCase, list[str]] = {case: [] for case in cases}
    for operation, by_status in response_examples().items():
        for status, named in by_status.items():
            for name, example in named.items():
                if status < 400:
                    continue
                owner = next((case for case in cases if case.example_name == name
                              and case.status == status
                              and case.matches(example.get("errorCode"), example.get("errorMessage"))),
                             None)
                if owner is None:
                    raise CatalogueMismatch(f"openapi.yaml: {operation} {status} example {name!r} "
                                            "is not a case of accelevents_mock/contract/catalogue.py")
                found[owner].append(operation)
    return tuple(replace(case, operations=tuple(ops)) for case, ops in found.items())


CATALOGUE: tuple[ErrorCase, ...] = _applied(_DOCUMENTED)
BAD_REQUEST = CATALOGUE[0]
SCENARIOS: tuple[Scenario, ...] = tuple(Scenario)

_BY_KEY: dict[tuple[str, str], ErrorCase] = {
    (case.scenario, op): case for case in CATALOGUE for op in case.operations
}
_TRANSPORT: dict[str, ErrorCase] = {case.scenario: case for case in (*TRANSPORT, BAD_REQUEST)}


def lookup(scenario: str, operation: str) -> ErrorCase | None:
    """The case `scenario` names for `operation`, or None where it does not apply."""
    return _BY_KEY.get((scenario, operation))


def cases_for(operation: str) -> list[ErrorCase]:
    return [case for case in CATALOGUE if operation in case.operations]


def operations_with(scenario: Scenario) -> frozenset[str]:
    """The operations a scenario applies to (e.g. NOT_EVENT_HOST: the host operations)."""
    return frozenset(op for case in CATALOGUE if case.scenario == scenario for op in case.operations)


def transport(scenario: Transport | Scenario) -> ErrorCase:
    """An error raised before any operation is known (unknown path, method, body)."""
    return _TRANSPORT[scenario]


def scenario_named(name: str) -> Scenario:
    """The scenario a user typed (header, cookie, control API); ValueError if there is none."""
    try:
        return Scenario(name)
    except ValueError:
        raise ValueError(f"unknown scenario {name!r}") from None


class ApiError(Exception):
    """Raised by domain rules; the API layer turns it into the documented error body."""

    def __init__(self, scenario: Scenario, developer_message: str | None = None,
                 **values: object) -> None:
        super().__init__(scenario)
        self.scenario = scenario
        self.developer_message = developer_message
        self.values = values
