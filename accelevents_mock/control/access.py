"""Who may use the control API: anyone on loopback, else only with the admin token."""

from __future__ import annotations

import hmac

from starlette.requests import Request

from accelevents_mock.config import MockConfig
from accelevents_mock.control.admin_token import ADMIN_HEADER


def admin_refusal(config: MockConfig, request: Request) -> str | None:
    """Why this request may not use the control API, or None if it may."""
    expected = config.admin_token
    if expected is None:
        if config.loopback_only:
            return None
        return "the mock listens beyond loopback: start it with --admin-token to use /__mock"
    given = request.headers.get(ADMIN_HEADER, "")
    if not hmac.compare_digest(given.encode(), expected.encode()):
        return f"send the admin token in the {ADMIN_HEADER} header"
    return None
