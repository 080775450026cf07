"""The catalogue of every error the API can answer: one place for each code and message.

The server raises these, the spec's examples are checked against them, and the contract
suite's coverage report is built from them. A case whose status, code or message is not shown
by an Accelevents document says why in `inferred`.
"""

from __future__ import annotations

from dataclasses import dataclass

DOCS = "fixtures/docs"
REFERENCE = "https://developer.accelevents.com/reference"

# Operation groups, by the operationIds of openapi.yaml.
LIST_OPS = ("listSessions", "listSessionsV2", "getRegisteredSessions")
SESSION_OPS = (
    "getSession", "joinWorkshopSession", "unregisterFromSession",
    "setNetworkingAvailability", "getNetworkingMatches",
)
REGISTER_OPS = ("registerForSession",)
HOST_OPS = ("getHostSession", "getSessionAnalytics")
ATTENDEE_OPS = LIST_OPS + SESSION_OPS + REGISTER_OPS
ALL_OPS = ATTENDEE_OPS + HOST_OPS

LIMIT_PLACEHOLDER = "{number_of_sessions_permitted}"


@dataclass(frozen=True, slots=True)
class ErrorCase:
    scenario: str  # the name that forces it: X-Mock-Scenario, mock_scenario cookie, __scenario
    status: int
    code: str  # the application error code, carried as `errorCode`
    message: str  # exact text, carried as `errorMessage`; may hold LIMIT_PLACEHOLDER
    operations: tuple[str, ...]
    source: str | None = None  # the vendored document that shows this message verbatim
    url: str | None = None  # the public page it comes from
    inferred: str | None = None  # why any part of it is our choice, not the documents'

    @property
    def example_name(self) -> str:
        """Name of this case's example in openapi.yaml (unique per operation)."""
        return self.scenario

    def render(self, **values: object) -> str:
        text = self.message
        for key, value in values.items():
            text = text.replace("{" + key + "}", str(value))
        return text

    def body(self, developer_message: str | None = None, **values: object) -> dict:
        return {
            "errorCode": self.code,
            "errorMessage": self.render(**values),
            "developerMessage": developer_message,
        }


GENERIC_CODE = "the HTTP status is used as errorCode: the documents give no app code for it"

BAD_REQUEST = ErrorCase(
    "bad-request", 400, "400",
    "The request could not be understood by the server due to malformed syntax.",
    ALL_OPS, f"{DOCS}/join-session.txt", f"{REFERENCE}/join-session", GENERIC_CODE)

CATALOGUE: tuple[ErrorCase, ...] = (
    # -- generic, documented on every reference page ---------------------------------------
    BAD_REQUEST,
    ErrorCase("not-authorized", 401, "4010101", "Not authorized.", ALL_OPS,
              f"{DOCS}/join-session.txt", f"{REFERENCE}/join-session"),
    ErrorCase("forbidden", 403, "403",
              "Accessing the resource you were trying to reach is forbidden.",
              ("joinWorkshopSession", "setNetworkingAvailability", "getNetworkingMatches"),
              f"{DOCS}/join-session.txt", f"{REFERENCE}/join-session",
              GENERIC_CODE + "; given when the caller is not registered for the session"),
    ErrorCase("not-event-host", 403, "4030201", "Not Event Host", HOST_OPS,
              f"{DOCS}/session-analytics.txt",
              f"{REFERENCE}/get-session-analytics-data-by-session-id"),
    ErrorCase("event-not-found", 404, "4040200", "Event not found.", ALL_OPS,
              f"{DOCS}/join-session.txt", f"{REFERENCE}/join-session"),
    # -- session not found: three documented spellings, by operation ------------------------
    ErrorCase("session-not-found", 404, "404800", "Session not found.", SESSION_OPS,
              f"{DOCS}/join-session.txt", f"{REFERENCE}/join-session"),
    ErrorCase("session-not-found", 404, "404800", "Session not found!", REGISTER_OPS,
              f"{DOCS}/workshop-session.txt", f"{REFERENCE}/user-register-event-ticket-id"),
    ErrorCase("session-not-found", 404, "404800", "Session Not Found", HOST_OPS,
              f"{DOCS}/session-analytics.txt",
              f"{REFERENCE}/get-session-analytics-data-by-session-id"),
    # -- registration ("Join session" step of the three flows) ------------------------------
    ErrorCase("capacity-reached", 406, "4062001", "Max user registration capacity reached",
              REGISTER_OPS, f"{DOCS}/workshop-session.txt", None,
              "app code: the documents give only HTTP 406"),
    ErrorCase("ticket-not-permitted", 406, "4062005",
              "Your ticket does not permit access to this session", REGISTER_OPS,
              f"{DOCS}/workshop-session.txt", None,
              "app code: the guides give only HTTP 406; the Register/Bookmark page lists 4042005 "
              "'Your ticket type does not grant access to this session' for the same check"),
    ErrorCase("session-limit-reached", 406, "4062006",
              "Your registration type only permits registering for "
              f"{LIMIT_PLACEHOLDER} sessions. If you would like to register for this session "
              "please un-register from a different session first.",
              REGISTER_OPS, f"{DOCS}/regular-session.txt", None,
              "app code: the documents give only HTTP 406"),
    ErrorCase("not-registered-for-event", 406, "4068910",
              "You have not yet registered for the event. You must register for the event "
              "before you can register for individual sessions.",
              ("registerForSession", "joinWorkshopSession", "setNetworkingAvailability",
               "getNetworkingMatches"),
              None, f"{REFERENCE}/user-register-event-ticket-id",
              "HTTP status taken from the code's 406 prefix; given to a user without a ticket"),
    ErrorCase("time-limit-expired", 407, "4072002",
              "The time limit for accessing this session is expired.",
              ("registerForSession", "joinWorkshopSession", "setNetworkingAvailability"),
              f"{DOCS}/regular-session.txt", f"{REFERENCE}/user-register-event-ticket-id"),
    ErrorCase("recording-unavailable", 407, "4072003",
              "The recording of this session is only available to users who watched it live.",
              REGISTER_OPS, None, f"{REFERENCE}/user-register-event-ticket-id",
              "HTTP status taken from the code's 407 prefix"),
    # -- our choices where the documents are silent -----------------------------------------
    ErrorCase("wrong-session-format", 400, "4002001",
              "This operation is not available for this session format.",
              ("joinWorkshopSession", "setNetworkingAvailability", "getNetworkingMatches"),
              inferred="the documents do not say what joining a non-workshop or setting "
              "availability in a non-networking session returns"),
    ErrorCase("already-joined", 406, "4062007",
              "You have already joined this session and can no longer un-register from it.",
              ("unregisterFromSession",),
              inferred="support article: a joined live session is counted and can no longer "
              "be un-registered; no API code is documented"),
)

# Errors of the transport, not of an operation: no operation is routed when they happen, so
# they are not in openapi.yaml's operations; they share the body of every other error.
TRANSPORT: tuple[ErrorCase, ...] = (
    ErrorCase("not-found", 404, "404", "The resource you were trying to reach is not found.",
              (), f"{DOCS}/join-session.txt", f"{REFERENCE}/join-session",
              GENERIC_CODE + "; given for paths the API does not have"),
    ErrorCase("method-not-allowed", 405, "405",
              "The method is not allowed for the requested URL.", (),
              inferred="no document lists 405"),
    ErrorCase("payload-too-large", 413, "413", "The request body is too large.", (),
              inferred="no document lists 413"),
    ErrorCase("headers-too-large", 431, "431", "The request headers are too large.", (),
              inferred="no document lists 431"),
    ErrorCase("unsupported-media-type", 415, "415",
              "The request body must be sent as application/json.", (),
              inferred="no document lists 415"),
    ErrorCase("admin-token-required", 403, "403",
              "The control API needs the mock's admin token.", (),
              inferred="the mock's own /__mock API, not Accelevents'"),
    ErrorCase("store-unavailable", 503, "503",
              "The service is temporarily unavailable. Please try again later.", (),
              inferred="no document lists 503; given while the mock's shared store (Redis) "
              "cannot be reached, with Retry-After"),
)
_TRANSPORT = {case.scenario: case for case in (*TRANSPORT, BAD_REQUEST)}

_BY_KEY: dict[tuple[str, str], ErrorCase] = {
    (case.scenario, op): case for case in CATALOGUE for op in case.operations
}
SCENARIOS: tuple[str, ...] = tuple(dict.fromkeys(case.scenario for case in CATALOGUE))


def lookup(scenario: str, operation: str) -> ErrorCase | None:
    """The case `scenario` names for `operation`, or None where it does not apply."""
    return _BY_KEY.get((scenario, operation))


def cases_for(operation: str) -> list[ErrorCase]:
    return [case for case in CATALOGUE if operation in case.operations]


def transport(scenario: str) -> ErrorCase:
    """An error raised before any operation is known (unknown path, method, body)."""
    return _TRANSPORT[scenario]


class ApiError(Exception):
    """Raised by domain rules; the API layer turns it into the documented error body."""

    def __init__(self, scenario: str, developer_message: str | None = None,
                 **values: object) -> None:
        super().__init__(scenario)
        self.scenario = scenario
        self.developer_message = developer_message
        self.values = values
