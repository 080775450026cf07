"""The control API's admin token beyond loopback: made on request, an empty one is none, and the
harness sends the one in the environment to /__mock (accelevents_mock/admin_token.py)."""

from __future__ import annotations

import pytest

from accelevents_mock import admin_token, cli
from accelevents_mock.config import MockConfig
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
    ([*PUBLIC, "--admin-token", "chosen"], True),      # one was given
])
def test_no_token_is_made_otherwise(argv: list[str], make: bool) -> None:
    mock = config(*argv)
    before = mock.admin_token
    assert admin_token.make_if_needed(mock, make) is None
    assert mock.admin_token == before


def test_an_empty_token_is_none_so_the_control_api_stays_shut(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(admin_token.ADMIN_TOKEN_VARIABLE, "")
    for mock in (config(*PUBLIC), config(*PUBLIC, "--admin-token", "")):
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
