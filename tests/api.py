"""Small helpers for calling the mock's operations by operationId in tests."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from accelevents_mock.contract.cases import EVENT_URL, TOKENS
from accelevents_mock.contract.schema import assert_conforms
from accelevents_mock.contract.spec import BASE_PATH, operation


def call(client: TestClient, operation_id: str, *, token: str | None = TOKENS["attendee"],
         session: int = 0, eventurl: str = EVENT_URL, params: dict[str, Any] | None = None,
         headers: dict[str, str] | None = None, check: bool = True) -> Any:
    """Call `operation_id` (path and method from the spec) and by default check the answer
    against the spec."""
    op = operation(operation_id)
    all_headers = {"Authorization": token} if token else {}
    all_headers.update(headers or {})
    response = client.request(op.method, BASE_PATH + op.url_path(eventurl, session),
                              params=params, headers=all_headers)
    if check:
        body = response.json() if response.content else None
        assert_conforms(operation_id, response.status_code, body)
    return response
