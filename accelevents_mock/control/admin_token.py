"""The control API's admin token: given in the environment, or made at start-up on request.

Beyond loopback the control API (/__mock) asks for a token, or refuses everyone when there is
none. A container listens on 0.0.0.0 and its requests come from the bridge, not loopback, so
the image asks for a token to be made when none is given (ACCELEVENTS_MOCK_MAKE_ADMIN_TOKEN=1):
it is random, printed once at start-up for whoever reads the log, and shared with the workers
through the environment. A token the user gave is never printed.
"""

from __future__ import annotations

import os
import secrets
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from accelevents_mock.config import MockConfig

ADMIN_HEADER = "X-Mock-Admin-Token"
ADMIN_TOKEN_VARIABLE = "ACCELEVENTS_MOCK_ADMIN_TOKEN"
MAKE_VARIABLE = "ACCELEVENTS_MOCK_MAKE_ADMIN_TOKEN"
TRUE_WORDS = ("1", "true", "yes", "on")


def given_token() -> str | None:
    """The token in the environment; an empty value is none (it would match an empty header)."""
    return os.environ.get(ADMIN_TOKEN_VARIABLE) or None


def make_requested() -> bool:
    return os.environ.get(MAKE_VARIABLE, "").strip().lower() in TRUE_WORDS


def make_if_needed(config: MockConfig, make: bool) -> str | None:
    """Make a token when asked to and one is needed (beyond loopback, none given); it goes into
    `config` and the environment (uvicorn's workers read it there). Returns the new token."""
    if not make or config.loopback_only or config.admin_token:
        return None
    token = secrets.token_hex(16)
    config.admin_token = token
    os.environ[ADMIN_TOKEN_VARIABLE] = token
    return token


def notice(token: str) -> str:
    """The one place a made token is written whole: the start-up log of its owner."""
    return (f"Admin token (made at start-up: no ${ADMIN_TOKEN_VARIABLE} was given): {token}\n"
            f"  The panel (/__mock/ui/) asks for it once; scripts send it in X-Mock-Admin-Token."
            f" Set ${ADMIN_TOKEN_VARIABLE} to choose your own.")
