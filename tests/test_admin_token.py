"""The control API's admin token beyond loopback: made on request, an empty one is none, and the
harness sends the one in the environment to our mock's /__mock only
(accelevents_mock/control/admin_token.py)."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from accelevents_mock import cli
from accelevents_mock.app import create_app
from accelevents_mock.config import MockConfig
from accelevents_mock.control import admin_token
from accelevents_mock.harness.options import Options
from accelevents_mock.harness.targets import IN_PROCESS_ROOT, Target, _mock_world
from accelevents_mock.usage import Mistake
from tests.conftest import make_client

PUBLIC = ["--host", "0.0.0.0"]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    # set, then removed: monkeypatch then restores each afterwards, also what make_if_needed set
    for name in (admin_token.ADMIN_TOKEN_VARIABLE, admin_token.MAKE_VARIABLE):
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)


def config(*argv: str) -> MockConfig:
    return cli.config_from(cli.parse_args(list(argv)))


@pytest.mark.parametrize("value", ["1", "true", "YES"])
def test_a_token_is_made_beyond_loopback_when_asked(value: str,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(admin_token.MAKE_VARIABLE, value)
    mock = config(*PUBLIC)
    made = admin_token.make_if_needed(mock, cli.parse_args(PUBLIC).make_admin_token)
    assert made and len(made) == 32 and mock.admin_token == made
    # uvicorn's workers parse the command line again: they must find the same token.
    assert config(*PUBLIC).admin_token == made


@pytest.mark.parametrize(("argv", "make"), [
    (PUBLIC, False),                                   # not asked
    (["--host", "127.0.0.1"], True),                   # loopback needs none
    ([*PUBLIC, "--admin-token", "chosen-token"], True),  # one was given
])
def test_no_token_is_made_otherwise(argv: list[str], make: bool) -> None:
    mock = config(*argv)
    before = mock.admin_token
    assert admin_token.make_if_needed(mock, make) is None
    assert mock.admin_token == before


def test_an_empty_token_is_none_so_the_control_api_stays_shut(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(admin_token.ADMIN_TOKEN_VARIABLE, "")
    with pytest.raises(Mistake, match="--admin-token: give at least 8"):  # said, not ignored
        config(*PUBLIC, "--admin-token", "")
    for mock in (config(*PUBLIC),):
        assert mock.admin_token is None
        client = make_client(loopback_only=False, admin_token=mock.admin_token)
        refused = client.get("/__mock/world", headers={admin_token.ADMIN_HEADER: ""})
        assert refused.status_code == 403, refused.text


def test_the_notice_is_the_one_place_the_made_token_is_written() -> None:
    assert "0123abcd" in admin_token.notice("0123abcd")
    assert "0123abcd" not in cli.banner("http://0.0.0.0:8080",
                                        MockConfig(loopback_only=False, admin_token="0123abcd"))


def test_host_and_port_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cli.HOST_VARIABLE, "0.0.0.0")
    monkeypatch.setenv(cli.PORT_VARIABLE, "9090")
    args = cli.parse_args(["--seed", "7"])  # arguments of their own keep both
    assert (args.host, args.port) == ("0.0.0.0", 9090)
    assert not config("--seed", "7").loopback_only


def target_of(app: object) -> Target:
    return Target(Options(), IN_PROCESS_ROOT + "/rest", IN_PROCESS_ROOT, "/rest", app=app)


def test_the_harness_sends_the_admin_token_only_to_our_mock_when_it_asks(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(admin_token.ADMIN_TOKEN_VARIABLE, "s3cret-admin-token")
    heard: list[dict[str, str]] = []

    async def refuse(request: Request) -> Response:  # a deployment that is not our mock
        heard.append(dict(request.headers))
        return JSONResponse({"errorCode": "403", "errorMessage": "Forbidden"}, 403)

    elsewhere = target_of(Starlette(routes=[Route("/{path:path}", refuse)]))
    assert _mock_world(elsewhere) is None and not elsewhere.asks_admin_token
    assert heard and all("s3cret-admin-token" not in headers.values() for headers in heard)
    ours = target_of(create_app(MockConfig(loopback_only=False, admin_token="s3cret-admin-token")))
    assert _mock_world(ours) is not None and ours.asks_admin_token
