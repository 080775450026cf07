"""Options, environment variables, redaction and the request budget of the harness."""

from __future__ import annotations

from pathlib import Path

import pytest

from accelevents_mock.harness import options as opts
from accelevents_mock.safety.redact import MASK, Redactor
from accelevents_mock.safety.throttle import BudgetExhausted, Throttle


def test_in_process_defaults_allow_writes_and_no_limits() -> None:
    o = opts.resolve({}, env={})
    assert o.in_process and o.allow_writes and o.rate_limit is None and o.request_budget == 0
    assert o.seed == opts.DEFAULT_SEED and o.max_examples == opts.DEFAULT_MAX_EXAMPLES


def test_live_target_is_read_only_rate_limited_and_budgeted_by_default() -> None:
    o = opts.resolve({"base_url": "https://staging.example.com"}, env={})
    assert o.base_url == "https://staging.example.com/rest"
    assert not o.allow_writes
    assert o.rate_limit == opts.LIVE_RATE_LIMIT and o.request_budget == opts.LIVE_REQUEST_BUDGET


def test_every_option_reads_its_environment_variable_and_flags_win(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("t.yaml").write_text("eventurl: ev\n")  # a target config must exist
    env = {"CONTRACT_BASE_URL": "http://h:1/rest", "CONTRACT_TOKEN": "tok-env",
           "CONTRACT_HOST_TOKEN": "host-env", "CONTRACT_EVENT_URL": "ev", "CONTRACT_SEED": "7",
           "CONTRACT_MAX_EXAMPLES": "3", "CONTRACT_ALLOW_WRITES": "true", "CONTRACT_RATE_LIMIT": "2/m",
           "CONTRACT_REPORT_DIR": "out", "CONTRACT_TARGET_CONFIG": "t.yaml",
           "CONTRACT_REQUEST_BUDGET": "9", "CONTRACT_TOKEN_COMMAND": "pass show staging"}
    o = opts.resolve({}, env=env)
    assert (o.base_url, o.token, o.host_token, o.event_url, o.seed, o.max_examples) == (
        "http://h:1/rest", "tok-env", "host-env", "ev", 7, 3)
    assert o.allow_writes and o.rate_limit == "2/m" and o.request_budget == 9
    assert o.report_dir == Path("out") and o.target_config == Path("t.yaml")
    assert o.token_command == "pass show staging"
    assert opts.resolve({"seed": "11", "token": "tok-flag"}, env=env).seed == 11
    assert opts.resolve({"token": "tok-flag"}, env=env).token == "tok-flag"


def test_summary_never_shows_tokens() -> None:
    o = opts.resolve({"token": "secret-token-1", "host_token": "secret-token-2"}, env={})
    assert "secret-token" not in o.summary()


def test_bad_rate_limit_is_refused() -> None:
    with pytest.raises(ValueError):
        opts.resolve({"rate_limit": "fast"}, env={})


RATE_FORMS = [("5/s", "5/s"), ("5", "5/s"), ("100/m", "100/m"), (" 2/h ", "2/h"), ("1/d", "1/d"),
              ("none", None), ("0", None)]


@pytest.mark.parametrize(("given", "meant"), RATE_FORMS)
def test_every_command_reads_a_rate_limit_the_same_way(given: str, meant: str | None) -> None:
    contract = opts.resolve({"rate_limit": given, "base_url": "http://h:1"}, env={}).rate_limit
    recorder = record_args([f"--rate-limit={given}"]).rate_limit
    assert contract == recorder == meant


@pytest.mark.parametrize("bad", ["fast", "0.5/s", "5/week", "-1/s", "5/"])
def test_every_command_refuses_the_same_bad_rate_limit(bad: str, capsys) -> None:
    with pytest.raises(ValueError):
        opts.resolve({"rate_limit": bad, "base_url": "http://h:1"}, env={})
    with pytest.raises(SystemExit):
        record_args([f"--rate-limit={bad}"])
    assert "e.g. 5/s" in capsys.readouterr().err  # the usage error shows the form it wants


def test_rate_limit_help_shows_an_example() -> None:
    assert "5/s" in opts.BY_DEST["rate_limit"].help
    assert "5/s" in record_parser_help()


def record_args(extra: list[str]):
    from accelevents_mock.recording import walk as record

    return record.parse_args(["--target", "http://h:1/rest", "--token", "t", "--event-url", "e",
                              "--out", "o", *extra])


def record_parser_help() -> str:
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit):
        record_args(["--help"])
    return out.getvalue()


def test_redactor_masks_secrets_and_credential_headers() -> None:
    r = Redactor(["abc123secret"])
    assert r.text("curl -H 'Authorization: Bearer abc123secret'") == f"curl -H 'Authorization: Bearer {MASK}'"
    assert r.headers({"Key": "anything", "Accept": "x"}) == {"Key": MASK, "Accept": "x"}
    assert r.value({"a": ["abc123secret"]}) == {"a": [MASK]}


def test_budget_stops_requests() -> None:
    throttle = Throttle(budget=2)
    throttle.acquire()
    throttle.acquire()
    with pytest.raises(BudgetExhausted):
        throttle.acquire()


def test_rate_limit_spaces_requests() -> None:
    import time

    throttle = Throttle(rate="20/s")
    started = time.monotonic()
    for _ in range(5):
        throttle.acquire()
    assert time.monotonic() - started >= 0.19  # 4 gaps of 50 ms
