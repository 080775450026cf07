"""`accelevents-mock`'s start-up banner: its "Try" commands work when pasted, and tokens are printed
whole only where they are known test tokens on loopback."""

from __future__ import annotations

from pathlib import Path

from accelevents_mock.cli import OPEN_SESSION_ID, TRY_SCENARIO, banner, config_from, parse_args
from accelevents_mock.contract import cases, catalogue
from accelevents_mock.contract.cases import TOKENS
from accelevents_mock.contract.spec import BASE_PATH
from accelevents_mock.recording.file import recording_document, save_recording
from accelevents_mock.world.builder import build_world
from tests.conftest import make_client
from tests.live import running_mock
from tests.readme_runner import Block, run_blocks

ADMIN_TOKEN = "an-admin-token-nobody-may-read"


def try_commands(text: str) -> list[str]:
    """The indented lines under the banner's "Try" heading, as a reader would copy them."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip().startswith("Try"))
    commands = []
    for line in lines[start + 1:]:
        if not line.startswith("    "):
            break
        commands.append(line.strip())
    return commands


def test_the_try_commands_work_as_pasted(tmp_path: Path) -> None:
    forced = next(case for case in catalogue.CATALOGUE if case.scenario == TRY_SCENARIO)
    with running_mock() as live:  # as `make run` starts it: loopback, generated world
        commands = try_commands(live.output_so_far())
        assert len(commands) == 2, commands
        # What the banner promises, in the README runner's convention: a list, then the error.
        promised = (f'{commands[0]}   # → 200 "recordsTotal"',
                    f'{commands[1]}   # → {forced.status} "{forced.code}"')
        outcome = run_blocks([Block(Path("banner"), 1, promised, None)], live.base_url, tmp_path)
    assert outcome.problems == [], "\n".join(outcome.problems)
    assert sorted(call.status for call in outcome.calls) == [200, forced.status]


def test_on_loopback_every_token_is_shown_whole() -> None:
    text = banner("http://127.0.0.1:8080", config_from(parse_args([])))
    assert all(token in text for token in TOKENS.values())
    assert "$ATTENDEE_TOKEN" not in text


def test_beyond_loopback_tokens_are_shortened_and_the_admin_token_never_shown() -> None:
    config = config_from(parse_args(["--host", "0.0.0.0", "--admin-token", ADMIN_TOKEN]))
    text = banner("http://0.0.0.0:8080", config)
    assert not any(token in text for token in TOKENS.values())
    assert ADMIN_TOKEN not in text and "$ATTENDEE_TOKEN" in text


def record(directory: Path, sessions: int) -> Path:
    """A recording of a generated world's session list, as the host sees it (hidden ones too)."""
    client = make_client(sessions=sessions)
    listed = client.get(f"{BASE_PATH}/events/{cases.EVENT_URL}/session?size=1000",
                        headers={"Authorization": TOKENS["host"]})
    exchange = {"operation": "listSessions", "path": listed.url.path, "status": 200,
                "body": listed.json()}
    save_recording(directory, recording_document("https://staging.example/rest", "recorded-event",
                                                 [exchange]))
    return directory


def test_a_recorded_world_keeps_its_tokens_unprinted(tmp_path: Path) -> None:
    text = banner("http://127.0.0.1:8080",
                  config_from(parse_args(["--world", str(record(tmp_path, 12))])))
    assert not any(token in text for token in TOKENS.values())
    assert "/events/recorded-event/session" in text


def test_the_banner_counts_a_recordings_sessions_and_names_its_folder(tmp_path: Path) -> None:
    config = config_from(parse_args(["--world", str(record(tmp_path, 50))]))
    text = banner("http://127.0.0.1:8080", config)
    world_line = next(line for line in text.splitlines() if line.strip().startswith("World"))
    assert str(tmp_path.resolve()) in world_line and "staging.example" in world_line
    assert "recorded-event 50 sessions (49 listed to attendees)" in world_line, world_line
    assert "seed" not in world_line


def test_the_banner_counts_what_the_panel_and_the_list_count() -> None:
    """The banner, GET /__mock/world (the panel's badge) and an attendee's list agree."""
    client = make_client()
    text = banner("http://127.0.0.1:8080", config_from(parse_args([])))
    events = {e["eventurl"]: e for e in client.get("/__mock/world").json()["events"]}
    for eventurl, counted in events.items():
        listed = client.get(f"{BASE_PATH}/events/{eventurl}/session?size=1",
                            headers={"Authorization": TOKENS["attendee"]}).json()
        assert counted["listedToAttendees"] == listed["recordsTotal"]
        assert f"{eventurl} {counted['sessions']} sessions ({listed['recordsTotal']} listed to " \
               f"attendees)" in text
    assert sum(e["sessions"] for e in events.values()) == \
        len(client.get("/__mock/world").json()["sessions"])  # the panel's table


def test_beyond_loopback_without_an_admin_token_the_banner_says_how_to_reach_the_panel() -> None:
    text = banner("http://0.0.0.0:8080", config_from(parse_args(["--host", "0.0.0.0"])))
    panel = next(line for line in text.splitlines() if line.strip().startswith("Panel"))
    assert "--admin-token" in panel
    guarded = banner("http://0.0.0.0:8080", config_from(parse_args(
        ["--host", "0.0.0.0", "--admin-token", ADMIN_TOKEN])))
    assert "admin token" in next(line for line in guarded.splitlines() if "Panel" in line)


def test_the_forced_error_names_a_session_every_generated_world_has() -> None:
    assert build_world(seed=7).cases["open_session"] == OPEN_SESSION_ID
