"""The Pact support without the Pact tools (tests/clients/test_pact_consumer.py runs those): the
export's shape, the state-change URL's states, and `pact check`'s findings on planted pacts."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from accelevents_mock.app import create_app
from accelevents_mock.contract.cases import MISSING_SESSION, TOKENS
from accelevents_mock.pact import cli as pact_cli
from accelevents_mock.pact.states import EXPORTED_STATE, NAMED_STATES

EVENT = "/rest/events/mock-event"
ATTENDEE = {"Authorization": TOKENS["attendee"]}


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(create_app()) as test_client:
        yield test_client


def exported(client: TestClient) -> dict[str, Any]:
    response = client.get("/__mock/pact", params={"consumer": "web"})
    assert response.status_code == 200
    return response.json()


def test_the_export_answers_the_calls_since_the_last_reset(client: TestClient) -> None:
    client.get(f"{EVENT}/session", headers=ATTENDEE)
    client.post("/__mock/reset")
    client.post(f"{EVENT}/session/11001/register", headers=ATTENDEE)
    client.post(f"{EVENT}/session/11001/register", headers=ATTENDEE)
    pact = exported(client)
    assert [i["request"]["method"] for i in pact["interactions"]] == ["POST", "POST"]
    assert pact["metadata"]["pactSpecification"]["version"] == "3.0.0"


def test_an_interaction_takes_its_session_from_the_state_and_says_what_the_call_needed(
        client: TestClient) -> None:
    client.post(f"{EVENT}/session/11001/register", headers=ATTENDEE)
    client.post(f"{EVENT}/session/11002/register", headers=ATTENDEE)  # full: 406
    first, second = exported(client)["interactions"]
    assert first["request"]["generators"]["path"]["expression"] == \
        f"{EVENT}/session/${{sessionId}}/register"
    assert first["providerStates"] == [{"name": EXPORTED_STATE, "params": {
        "role": "attendee", "case": "open", "registered": False, "joined": False}}]
    assert second["providerStates"][0]["params"]["registeredFor"] == [{"case": "open"}]
    assert second["response"]["status"] == 406
    assert second["response"]["matchingRules"]["body"]["$.errorCode"] == {"matchers": [{"match": "equality"}]}


def test_the_expected_body_keeps_typed_fields_and_leaves_out_nullable_ones(client: TestClient) -> None:
    client.get(f"{EVENT}/session/v2/11001", headers=ATTENDEE)
    answer = exported(client)["interactions"][0]["response"]
    assert answer["matchingRules"]["body"]["$"] == {"matchers": [{"match": "type"}]}
    assert isinstance(answer["body"]["sessionId"], int) and isinstance(answer["body"]["title"], str)
    answered = client.get(f"{EVENT}/session/v2/11001", headers=ATTENDEE).json()
    assert answered["streamProvider"] is not None  # this world's value, which another may not have
    assert "streamProvider" not in answer["body"]  # nullable in the spec: left out
    assert answer["matchingRules"]["body"]["$.tracks"] == {"matchers": [{"match": "type", "min": 0}]}


def test_the_export_keeps_no_credential(client: TestClient) -> None:
    for headers in ({"Key": TOKENS["attendee"]}, {"Authorization": f"Bearer {TOKENS['host']}"},
                    {"AUTHENTICATION": TOKENS["speaker"], "X-Echo": TOKENS["speaker"]}):
        client.get(f"{EVENT}/session", headers=headers)
    text = json.dumps(exported(client))
    assert [token for token in TOKENS.values() if token in text] == []


def test_the_export_names_its_consumer(client: TestClient) -> None:
    answer = client.get("/__mock/pact")
    assert answer.status_code == 400 and "consumer=NAME" in answer.json()["developerMessage"]


def change(client: TestClient, state: str, **params: Any) -> Any:
    return client.post("/__mock/pact/states", json={"state": state, "params": params, "action": "setup"})


@pytest.mark.parametrize("name", [n for n in NAMED_STATES if n != EXPORTED_STATE])
def test_every_named_state_sets_up_and_gives_its_session(client: TestClient, name: str) -> None:
    answer = change(client, name)
    assert answer.status_code == 200, answer.text
    assert answer.json()["eventurl"] == "mock-event" and isinstance(answer.json()["sessionId"], int)


def test_the_states_put_the_caller_where_they_say(client: TestClient) -> None:
    session = change(client, "the caller joined to a workshop").json()["sessionId"]
    registered = client.get(f"{EVENT}/user-session/registered", headers=ATTENDEE).json()["data"]
    assert session in [s["sessionId"] for s in registered]
    client.get(f"{EVENT}/session", headers=ATTENDEE)  # the next interaction: a fresh world
    change(client, "a full session")
    registered = client.get(f"{EVENT}/user-session/registered", headers=ATTENDEE).json()["data"]
    assert session not in [s["sessionId"] for s in registered]
    assert change(client, "an unknown session").json()["sessionId"] == MISSING_SESSION


def test_a_session_described_by_what_the_call_needed_is_found(client: TestClient) -> None:
    answer = change(client, EXPORTED_STATE, format="WORKSHOP", phase="live", full=False, restricted=False)
    detail = client.get(f"{EVENT}/session/v2/{answer.json()['sessionId']}", headers=ATTENDEE).json()
    assert detail["format"] == "WORKSHOP"


@pytest.mark.parametrize(("body", "complaint"), [
    ({"state": "a session on the moon"}, "known: a session with free seats"),
    ({"state": "a full session", "action": "explode"}, "action is one of setup, teardown"),
    ({"state": EXPORTED_STATE, "params": {"case": "nope"}}, "unknown case 'nope'"),
    ({"nostate": 1}, '{"state": NAME'),
])
def test_a_state_it_cannot_set_up_is_a_400_saying_what_it_can(client: TestClient, body: dict,
                                                              complaint: str) -> None:
    answer = client.post("/__mock/pact/states", json=body)
    assert answer.status_code == 400 and complaint in answer.json()["developerMessage"]


# -- pact check on planted pacts ---------------------------------------------------------------

def planted(path: str = f"{EVENT}/session/v2/11001", status: int = 200,
            body: Any = None) -> dict[str, Any]:
    return {"consumer": {"name": "web"}, "provider": {"name": "api"}, "interactions": [{
        "description": "planted", "request": {"method": "GET", "path": path},
        "response": {"status": status, "body": body or {"sessionId": 1, "title": "t"}}}],
        "metadata": {"pactSpecification": {"version": "3.0.0"}}}


def check(pact: dict[str, Any], tmp_path: Path) -> tuple[int, list[dict[str, str]]]:
    file = tmp_path / "pact.json"
    file.write_text(json.dumps(pact))
    code = pact_cli.main(["check", str(file), "--report", str(tmp_path / "report.json")])
    return code, json.loads((tmp_path / "report.json").read_text())["findings"]


def test_a_pact_the_spec_covers_has_no_finding(tmp_path: Path) -> None:
    assert check(planted(), tmp_path) == (0, [])


@pytest.mark.parametrize(("pact", "what", "where"), [
    (planted(status=418), "status 418 is not documented for getSession", "response status"),
    (planted(path=f"{EVENT}/sessions/11001"), "no documented operation has this path", "request GET"),
    (planted(body={"sessionId": 1, "rating": 5}), "reads a field the spec does not declare",
     "response body $.rating"),
])
def test_pact_check_names_a_planted_defect(pact: dict, what: str, where: str, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    code, findings = check(pact, tmp_path)
    assert code == 1 and len(findings) == 1
    assert what in findings[0]["what"] and findings[0]["where"].startswith(where)
    assert findings[0]["interaction"] == "planted" and what in capsys.readouterr().out


def test_pact_check_reads_specification_4_bodies(tmp_path: Path) -> None:
    pact = planted(body={"sessionId": 1, "rating": 5})
    interaction = pact["interactions"][0]
    interaction["type"] = "Synchronous/HTTP"
    interaction["response"]["body"] = {"content": interaction["response"]["body"],
                                       "contentType": "application/json", "encoded": False}
    assert check(pact, tmp_path)[1][0]["where"] == "response body $.rating"


def test_a_file_that_is_no_pact_is_one_line_and_exit_2(tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "x.json").write_text("[1]")
    assert pact_cli.main(["check", str(tmp_path / "x.json"), "--report", str(tmp_path / "r")]) == 2
    assert pact_cli.main(["check", str(tmp_path / "missing.json")]) == 2
    assert pact_cli.main(["check", "http://example.com/pact.json"]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 3 and "interactions" in lines[0] and "loopback" in lines[2]
