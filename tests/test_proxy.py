"""The validating proxy (issue 18): a frontend-like client calls the mock over HTTP; the mock
forwards to a "staging" (another mock, clean or planting defects), judges every exchange against
openapi.yaml, and falls back to its own world when staging fails."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from accelevents_mock.app import create_app
from accelevents_mock.config import MockConfig
from accelevents_mock.contract import cases, catalogue
from accelevents_mock.contract.catalogue import Transport
from accelevents_mock.proxy.settings import ProxySettings
from accelevents_mock.safety.redact import mask_token
from accelevents_mock.testing.handle import LiveServer, MockHandle
from tests.live import running_mock
from tests.staging import STAGING_TOKEN, staging

ATTENDEE = {"Authorization": cases.TOKENS["attendee"]}
EVENT = "/events/mock-event"
DEFAULTS = {"operations": None, "fallback": False, "strict": False, "allowWrites": False,
            "timeoutS": 5}


@pytest.fixture(scope="module")
def clean() -> Iterator[LiveServer]:
    with staging() as server:
        yield server


@pytest.fixture(scope="module")
def broken() -> Iterator[LiveServer]:
    with staging(defects=True) as server:
        yield server


@pytest.fixture(scope="module")
def proxy_server() -> Iterator[LiveServer]:
    with LiveServer(MockHandle(create_app(MockConfig()))) as server:
        yield server


@pytest.fixture
def proxy(proxy_server: LiveServer) -> Iterator[httpx.Client]:
    """A client of the proxying mock, its findings and journal emptied, its target unset."""
    with httpx.Client(base_url=proxy_server.base_url, headers=ATTENDEE, trust_env=False) as client:
        client.delete("/__mock/violations")
        client.post("/__mock/reset")
        yield client
        client.put("/__mock/proxy", json={**DEFAULTS, "target": None})


def point(client: httpx.Client, target: LiveServer | str | None, **settings: object) -> None:
    url = target.url if isinstance(target, LiveServer) else target
    answer = client.put("/__mock/proxy", json={**DEFAULTS, "target": url, **settings})
    assert answer.status_code == 200, answer.text


def last_entry(client: httpx.Client) -> dict:
    return client.get("/__mock/journal").json()["entries"][-1]


def findings(client: httpx.Client) -> set[tuple[str, str]]:
    return {(g["operation"], g["kind"]) for g in client.get("/__mock/violations").json()["groups"]}


def first_session(server: LiveServer) -> int:
    page = httpx.get(f"{server.url}{EVENT}/session?size=1", headers=ATTENDEE, trust_env=False)
    return page.json()["data"][0]["sessionId"]


def test_a_client_sees_the_targets_data_and_a_clean_target_shows_no_violations(
        proxy: httpx.Client, clean: LiveServer) -> None:
    own = proxy.get(f"/rest{EVENT}/session?size=5").json()
    point(proxy, clean)
    session = first_session(clean)
    calls = [f"{EVENT}/session?size=5&expand=speaker,stats", f"{EVENT}/session/v2/{session}",
             f"{EVENT}/session/v2/999999999", f"{EVENT}/user-session/registered",
             f"{EVENT}/session/v2?size=3", "/events/no-such-event/session"]
    for path in calls:
        through = proxy.get("/rest" + path)
        direct = httpx.get(clean.url + path, headers=ATTENDEE, trust_env=False)
        assert (through.status_code, through.json()) == (direct.status_code, direct.json()), path
        assert through.headers["x-mock-source"] == "proxy"
        assert through.headers["x-mock-violations"] == "0", last_entry(proxy)["violations"]
        entry = last_entry(proxy)
        assert (entry["source"], entry["violations"]) == ("proxy", [])
    assert proxy.get(f"/rest{EVENT}/session?size=5").json() != own  # staging's world, not ours
    assert proxy.get("/__mock/violations").json() == {"total": 0, "groups": []}


def test_only_the_chosen_operations_are_forwarded(proxy: httpx.Client, clean: LiveServer) -> None:
    own = proxy.get(f"/rest{EVENT}/session?size=5").json()
    point(proxy, clean, operations=["getSession"])
    listed = proxy.get(f"/rest{EVENT}/session?size=5")
    assert (listed.headers["x-mock-source"], listed.json()) == ("mock", own)
    session = first_session(clean)
    detail = proxy.get(f"/rest{EVENT}/session/v2/{session}")
    assert detail.headers["x-mock-source"] == "proxy"
    assert detail.json() == httpx.get(f"{clean.url}{EVENT}/session/v2/{session}", headers=ATTENDEE,
                                      trust_env=False).json()
    assert proxy.put("/__mock/proxy", json={"operations": ["noSuchOp"]}).status_code == 400


def test_writes_are_answered_by_the_mock_unless_allowed(proxy: httpx.Client,
                                                        clean: LiveServer) -> None:
    point(proxy, clean)
    session = clean.handle.state.world.cases["open_session"]
    registered = clean.handle.state.store.registration_count
    before = registered(session)
    answer = proxy.post(f"/rest{EVENT}/session/{session}/register")
    assert (answer.status_code, answer.headers["x-mock-source"]) == (200, "mock")
    assert registered(session) == before
    point(proxy, clean, allowWrites=True)
    answer = proxy.post(f"/rest{EVENT}/session/{session}/register")
    assert (answer.status_code, answer.headers["x-mock-source"]) == (200, "proxy")
    assert registered(session) == before + 1
    proxy.delete(f"/rest{EVENT}/session/{session}/register")


def test_the_write_warning_is_logged_once(clean: LiveServer,
                                          caplog: pytest.LogCaptureFixture) -> None:
    mock = MockHandle(create_app(MockConfig(proxy=ProxySettings(target=clean.url))))
    session = clean.handle.state.world.cases["open_session"]
    with caplog.at_level(logging.WARNING, logger="accelevents_mock.proxy"):
        for _ in range(3):
            assert mock.client.post(f"{EVENT}/session/{session}/register",
                                    headers=ATTENDEE).headers["x-mock-source"] == "mock"
    assert [r.getMessage() for r in caplog.records].count(caplog.records[0].getMessage()) == 1
    assert "--proxy-allow-writes" in caplog.records[0].getMessage()
    mock.close()


def test_the_mock_answers_when_the_target_fails_and_fallback_is_on(proxy: httpx.Client,
                                                                   broken: LiveServer) -> None:
    own = proxy.get(f"/rest{EVENT}/session?size=5").json()
    with staging() as doomed:
        gone = doomed.url
        point(proxy, gone, fallback=True)
        assert proxy.get(f"/rest{EVENT}/session?size=5").headers["x-mock-source"] == "proxy"
    # The target stopped: the mock answers from its own world.
    answer = proxy.get(f"/rest{EVENT}/session?size=5")
    assert (answer.status_code, answer.headers["x-mock-source"], answer.json()) == \
        (200, "mock-fallback", own)
    assert last_entry(proxy)["source"] == "mock-fallback"
    # Without fallback: the documented error body, 502.
    point(proxy, gone, fallback=False)
    answer = proxy.get(f"/rest{EVENT}/session?size=5")
    case = catalogue.transport(Transport.UPSTREAM_UNREACHABLE)
    assert answer.status_code == 502
    assert (answer.json()["errorCode"], answer.json()["errorMessage"]) == (case.code, case.message)
    # A target that answers 503, or too slowly.
    point(proxy, broken, fallback=True, timeoutS=0.3)
    assert proxy.get(f"/rest{EVENT}/session?size=5", headers={"X-Plant": "unavailable"}) \
        .headers["x-mock-source"] == "mock-fallback"
    slow = {"X-Mock-Latency": "1500"}  # forwarded: staging is a mock too
    assert proxy.get(f"/rest{EVENT}/session?size=5", headers=slow).headers["x-mock-source"] == \
        "mock-fallback"
    point(proxy, broken, fallback=False, timeoutS=0.3)
    answer = proxy.get(f"/rest{EVENT}/session?size=5", headers=slow)
    assert (answer.status_code, answer.json()["errorCode"]) == \
        (504, catalogue.transport(Transport.UPSTREAM_TIMEOUT).code)


PLANTED = [  # X-Plant, path below the event, the operation and kind the proxy must report
    ("type", "/session/v2/{session}", "getSession", "type"),
    ("missing", "/session?size=3", "listSessions", "missing-field"),
    ("status", "/session/v2/{session}", "getSession", "undocumented-status"),
    ("code", "/session/v2/999999999", "getSession", "error-code"),
    ("message", "/session/v2/999999999", "getSession", "error-message"),
]


@pytest.mark.parametrize(("plant", "path", "operation", "kind"), PLANTED,
                         ids=[p[0] for p in PLANTED])
def test_each_planted_defect_is_reported_with_its_operation_and_kind(
        proxy: httpx.Client, broken: LiveServer, plant: str, path: str, operation: str,
        kind: str) -> None:
    point(proxy, broken)
    url = f"/rest{EVENT}" + path.format(session=first_session(broken))
    answer = proxy.get(url, headers={"X-Plant": plant})
    assert answer.headers["x-mock-source"] == "proxy"
    assert answer.headers["x-mock-violations"] == "1"
    [found] = last_entry(proxy)["violations"]
    assert (found["operation"], found["kind"]) == (operation, kind)
    assert findings(proxy) == {(operation, kind)}
    [group] = proxy.get("/__mock/violations").json()["groups"]
    assert (group["count"], group["example"]["path"], group["example"]["status"]) == \
        (1, url, answer.status_code)


def test_strict_turns_a_broken_answer_into_a_documented_502(proxy: httpx.Client,
                                                            broken: LiveServer) -> None:
    point(proxy, broken, strict=True)
    session = first_session(broken)
    assert proxy.get(f"/rest{EVENT}/session/v2/{session}").status_code == 200
    answer = proxy.get(f"/rest{EVENT}/session/v2/{session}", headers={"X-Plant": "type"})
    case = catalogue.transport(Transport.CONTRACT_BROKEN)
    assert answer.status_code == 502
    body = answer.json()
    assert (body["errorCode"], body["errorMessage"]) == (case.code, case.message)
    assert "getSession [type] sessionId" in body["developerMessage"]


def test_request_parameters_are_judged(proxy: httpx.Client, clean: LiveServer) -> None:
    point(proxy, clean)
    proxy.get(f"/rest{EVENT}/session?size=abc&trackIds=1,x")
    kinds = [(f["operation"], f["kind"], f["message"].split(":")[0])
             for f in last_entry(proxy)["violations"]]
    assert ("listSessions", "request-parameter", "query parameter size") in kinds
    assert ("listSessions", "request-parameter", "query parameter trackIds") in kinds


def test_what_passes_through_is_recorded_and_servable(tmp_path: Path) -> None:
    out = tmp_path / "recorded"
    with staging(staging_tokens=True) as guarded:
        settings = ProxySettings(target=guarded.url, record_dir=out,
                                 token_map={cases.TOKENS["attendee"]: STAGING_TOKEN})
        recorder = MockHandle(create_app(MockConfig(proxy=settings)))
        listed = recorder.client.get(f"{EVENT}/session?size=5&expand=speaker", headers=ATTENDEE)
        assert listed.status_code == 200  # staging knows only STAGING_TOKEN: the map was used
        session = listed.json()["data"][0]
        recorder.client.get(f"{EVENT}/session/v2/{session['sessionId']}", headers=ATTENDEE)
        recorder.close()
    text = (out / "recording.json").read_text()
    assert STAGING_TOKEN not in text and cases.TOKENS["attendee"] not in text
    assert [e["operation"] for e in json.loads(text)["exchanges"]] == ["listSessions", "getSession"]
    served = MockHandle.start(world_dir=out)
    again = served.client.get(f"/events/{served.eventurl}/session/v2/{session['sessionId']}",
                              headers=ATTENDEE)
    assert (again.status_code, again.json()["title"]) == (200, session["title"])
    served.close()


def test_mapped_tokens_reach_staging_and_nowhere_else(tmp_path: Path) -> None:
    token_map = tmp_path / "tokens.json"
    token_map.write_text(json.dumps({cases.TOKENS["attendee"]: STAGING_TOKEN}))
    with staging(defects=True, staging_tokens=True) as guarded, \
            running_mock("--proxy", guarded.url, "--proxy-token-map", str(token_map),
                         "--log-level", "debug") as live:
        base = f"{live.base_url}/rest{EVENT}"
        listed = httpx.get(f"{base}/session?size=2", headers=ATTENDEE, trust_env=False)
        assert (listed.status_code, listed.headers["x-mock-source"]) == (200, "proxy")
        # A deployment that echoes the credential it got: the finding is kept, the token is not.
        httpx.get(f"{base}/session/v2/999999999", headers={**ATTENDEE, "X-Plant": "echo"},
                  trust_env=False)
        shown = {path: httpx.get(f"{live.base_url}/__mock/{path}", trust_env=False).text
                 for path in ("journal", "violations", "proxy")}
    assert [g["kind"] for g in json.loads(shown["violations"])["groups"]] == ["error-message"]
    assert mask_token(STAGING_TOKEN) in shown["violations"]
    for where, text in {**shown, "log": live.output}.items():
        assert STAGING_TOKEN not in text, where
    assert "1 token(s) mapped" in live.output


def test_the_proxy_flags_make_its_settings(tmp_path: Path) -> None:
    from accelevents_mock.cli import config_from, parse_args

    token_map = tmp_path / "tokens.json"
    token_map.write_text(json.dumps({"attendee-token": STAGING_TOKEN}))
    given = parse_args(["--proxy", "https://staging.example/rest", "--proxy-ops",
                        "listSessions,getSession", "--proxy-fallback", "--proxy-timeout", "2.5",
                        "--proxy-token-map", str(token_map), "--proxy-strict",
                        "--proxy-record", str(tmp_path), "--proxy-allow-writes"])
    assert config_from(given).proxy == ProxySettings(
        target="https://staging.example/rest", operations=frozenset({"listSessions", "getSession"}),
        fallback=True, timeout_s=2.5, strict=True, allow_writes=True, record_dir=tmp_path,
        token_map={"attendee-token": STAGING_TOKEN})
    assert STAGING_TOKEN not in repr(config_from(given))
    with pytest.raises(SystemExit, match="unknown operationId"):
        config_from(parse_args(["--proxy", "https://s.example/rest", "--proxy-ops", "nope"]))
    token_map.write_text(json.dumps({"attendee-token": [STAGING_TOKEN]}))  # not a string
    with pytest.raises(SystemExit, match="JSON object") as refused:
        config_from(given)
    assert STAGING_TOKEN not in str(refused.value)
