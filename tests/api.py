"""Small helpers for calling the mock's operations by operationId in tests."""

from __future__ import annotations

from starlette.testclient import TestClient

from fixtures.cases import EVENT_URL, TOKENS
from mockserver.conformance import assert_conforms

PATHS = {
    "listSessions": ("GET", "/rest/events/{eventurl}/session"),
    "listSessionsV2": ("GET", "/rest/events/{eventurl}/session/v2"),
    "getSession": ("GET", "/rest/events/{eventurl}/session/v2/{session}"),
    "registerForSession": ("POST", "/rest/events/{eventurl}/session/{session}/register"),
    "unregisterFromSession": ("DELETE", "/rest/events/{eventurl}/session/{session}/register"),
    "getRegisteredSessions": ("GET", "/rest/events/{eventurl}/user-session/registered"),
    "joinWorkshopSession": ("PUT", "/rest/events/{eventurl}/session/{session}"),
    "setNetworkingAvailability": ("PUT", "/rest/events/{eventurl}/session/{session}/status"),
    "getNetworkingMatches": ("GET", "/rest/events/{eventurl}/session/{session}/matches"),
    "getHostSession": ("GET", "/rest/host/event/{eventurl}/session/{session}"),
    "getSessionAnalytics": ("GET", "/rest/host/event/{eventurl}/session/{session}/analytics"),
}


def call(client: TestClient, operation: str, *, token: str | None = TOKENS["attendee"],
         session: int = 0, eventurl: str = EVENT_URL, params: dict | None = None,
         headers: dict | None = None, check: bool = True):
    """Call `operation` and (by default) check the answer against the spec."""
    method, template = PATHS[operation]
    all_headers = {"Authorization": token} if token else {}
    all_headers.update(headers or {})
    response = client.request(method, template.format(eventurl=eventurl, session=session),
                              params=params, headers=all_headers)
    if check:
        body = response.json() if response.content else None
        assert_conforms(operation, response.status_code, body)
    return response
