"""Recording a deployment (the mock as a separate process stands in for staging), scrubbing,
and serving the recording as the mock's world."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from accelevents_mock.contract.cases import TOKENS, UNKNOWN_TOKEN
from accelevents_mock.recording.file import RECORDING_FILE, Scrubber
from accelevents_mock.safety.redact import MASK
from tests.conftest import FIXED_NOW
from tests.live import running_mock

HOST = {"Authorization": TOKENS["host"]}


@pytest.fixture(scope="module")
def recorded(tmp_path_factory) -> dict:
    """Record the stand-in deployment; keep what it really holds to compare against."""
    out = tmp_path_factory.mktemp("recorded")
    with running_mock("--clock", FIXED_NOW.isoformat()) as live:
        api = f"{live.base_url}/rest"
        world = httpx.get(f"{live.base_url}/__mock/world").json()
        truth = [httpx.get(f"{api}/host/event/mock-event/session/{s['sessionId']}/analytics",
                           params={"expand": "registerdHolderUsers,speaker"}, headers=HOST).json()
                 for s in world["sessions"] if s["eventurl"] == "mock-event"]
        listed = httpx.get(f"{api}/events/mock-event/session", params={"size": 1000},
                           headers={"Authorization": TOKENS["attendee"]}).json()
        result = subprocess.run(
            [sys.executable, "-m", "accelevents_mock", "record", "--target", api,
             "--token", TOKENS["attendee"], "--host-token", TOKENS["host"],
             "--event-url", "mock-event", "--out", str(out), "--rate-limit", "200",
             "--max-requests", "400"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    return {"dir": out, "world": world, "truth": truth, "listed": listed,
            "raw": (out / RECORDING_FILE).read_text(encoding="utf-8"), "stdout": result.stdout}


def test_recording_walks_read_only_operations_and_matches_the_spec(recorded) -> None:
    recording = json.loads(recorded["raw"])
    operations = {e["operation"] for e in recording["exchanges"]}
    assert {"listSessions", "getSession", "getRegisteredSessions", "getSessionAnalytics"} <= operations
    assert {e["method"] for e in recording["exchanges"]} == {"GET"}
    assert recording["mismatches"] == []


def test_nothing_secret_survives_scrubbing(recorded) -> None:
    raw = recorded["raw"]
    assert TOKENS["attendee"] not in raw and TOKENS["host"] not in raw
    people = [h for body in recorded["truth"] for h in body.get("registerdHolderUsers") or []]
    people += [s for body in recorded["truth"] for s in body.get("speakerList") or []]
    assert people, "the stand-in deployment must have registrants and speakers to scrub"
    for person in people:
        assert person["email"] not in raw
        assert f'"{person["firstName"]}", "lastName": "{person["lastName"]}"' not in raw
        if person.get("phoneNumber"):
            assert person["phoneNumber"] not in raw
    for body in recorded["truth"]:
        for secret in ("streamKey", "playBackRestrictionToken"):
            if body.get(secret):
                assert body[secret] not in raw


def test_scrubbing_is_consistent() -> None:
    scrubber = Scrubber(["tok"])
    body = {"a": {"email": "x@y.com", "firstName": "Ada"}, "b": {"email": "x@y.com",
                                                                "firstName": "Ada"}}
    scrubbed = scrubber.scrub(body)
    assert scrubbed["a"] == scrubbed["b"] and scrubbed["a"]["email"] != "x@y.com"
    assert scrubber.scrub({"description": "mail x@y.com with tok"})["description"] == \
        f"mail {scrubbed['a']['email']} with {MASK}"


def test_replayed_world_shows_the_recorded_sessions_and_keeps_the_rules(recorded) -> None:
    from tests.conftest import make_client

    client = make_client(world_dir=Path(recorded["dir"]))
    attendee = {"Authorization": TOKENS["attendee"]}
    replayed = client.get("/rest/events/mock-event/session", params={"size": 1000},
                          headers=attendee).json()
    original = recorded["listed"]
    assert [(s["sessionId"], s["title"], s["format"]) for s in replayed["data"]] == \
        [(s["sessionId"], s["title"], s["format"]) for s in original["data"]]
    full = recorded["world"]["cases"]["full_session"]
    refused = client.post(f"/rest/events/mock-event/session/{full}/register", headers=attendee)
    assert (refused.status_code, refused.json()["errorCode"]) == (406, "4062001")
    opened = recorded["world"]["cases"]["open_session"]
    assert client.post(f"/rest/events/mock-event/session/{opened}/register",
                       headers=attendee).status_code == 200
    assert client.get("/rest/events/mock-event/session",
                      headers={"Authorization": UNKNOWN_TOKEN}).status_code == 401
