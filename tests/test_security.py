"""Security of a mock that others can reach: the control API's admin token, the start-up
warning on a public address, and no credential written whole to the logs or the journal."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import httpx
import websockets

from accelevents_mock.cli import banner, config_from, parse_args
from accelevents_mock.contract.cases import EVENT_URL, TOKENS
from accelevents_mock.control.access import ADMIN_HEADER
from accelevents_mock.safety.logmask import MaskSecrets
from accelevents_mock.safety.redact import mask_secrets
from tests.live import running_mock

ADMIN_TOKEN = "admin-secret-for-tests"
SESSIONS = f"/rest/events/{EVENT_URL}/session"


def test_beyond_loopback_without_an_admin_token_the_control_api_is_off() -> None:
    with running_mock("--host", "0.0.0.0") as live:
        refused = httpx.get(f"{live.base_url}/__mock/world")
        reset = httpx.post(f"{live.base_url}/__mock/reset")
        api = httpx.get(f"{live.base_url}{SESSIONS}", headers={"Authorization": TOKENS["attendee"]})
    assert refused.status_code == reset.status_code == 403
    assert refused.json()["errorCode"] == "403" and "--admin-token" in refused.json()["developerMessage"]
    assert api.status_code == 200  # the API itself is served as usual
    assert "WARNING: listening on 0.0.0.0, beyond loopback" in live.output


def test_beyond_loopback_the_control_api_wants_the_admin_token() -> None:
    with running_mock("--host", "0.0.0.0", "--admin-token", ADMIN_TOKEN) as live:
        without = httpx.get(f"{live.base_url}/__mock/world")
        wrong = httpx.get(f"{live.base_url}/__mock/world", headers={ADMIN_HEADER: "guess"})
        right = httpx.get(f"{live.base_url}/__mock/world", headers={ADMIN_HEADER: ADMIN_TOKEN})
    assert without.status_code == wrong.status_code == 403
    assert right.status_code == 200 and right.json()["seed"] == 42
    assert ADMIN_TOKEN not in live.output


def test_on_loopback_the_control_api_is_open_and_nothing_is_said() -> None:
    with running_mock() as live:
        assert httpx.get(f"{live.base_url}/__mock/world").status_code == 200
    assert "WARNING" not in live.output


def test_no_token_appears_whole_in_the_logs_or_the_journal() -> None:
    used = (TOKENS["attendee"], TOKENS["networker"], "Bearer-style-secret-token")
    with running_mock("--log-level", "debug") as live:
        httpx.get(f"{live.base_url}{SESSIONS}", headers={"Authorization": TOKENS["attendee"]})
        httpx.get(f"{live.base_url}{SESSIONS}?token={used[2]}",
                  headers={"Authorization": f"Bearer {used[2]}"})

        async def connect_socket() -> None:
            url = live.base_url.replace("http", "ws", 1) + f"/__mock/socket?token={used[1]}"
            async with websockets.connect(url) as socket:
                await socket.recv()

        asyncio.run(connect_socket())
        with contextlib.suppress(httpx.HTTPError):
            httpx.get(f"{live.base_url}/__mock/socket?token={used[1]}")
        journal = httpx.get(f"{live.base_url}/__mock/journal").text
    # On loopback the banner prints the fixed test tokens on purpose (tests/test_banner.py);
    # the server's own logs, after it, must never hold one.
    shown = banner(live.base_url, config_from(parse_args(["--log-level", "debug"])))
    assert shown in live.output
    logs = live.output.replace(shown, "")
    assert "/__mock/socket?token=***" in logs  # the socket's URL was logged, masked
    for token in used:
        assert token not in logs
        assert token not in journal


def test_mask_secrets_masks_credential_parameters_only() -> None:
    assert mask_secrets("GET /x?page=2&token=abc123&Key=k&size=10 HTTP/1.1") == \
        "GET /x?page=2&token=***&Key=***&size=10 HTTP/1.1"
    record = logging.LogRecord("uvicorn.access", 20, "", 0, '%s "%s"', (
        "127.0.0.1", "GET /__mock/socket?token=abc"), None)
    MaskSecrets().filter(record)
    assert record.getMessage() == '127.0.0.1 "GET /__mock/socket?token=***"'
