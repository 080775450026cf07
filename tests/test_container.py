"""The container image (issue 29): built from the repository's Containerfile on a Debian base
made here (tests/podman.py), run with podman as a user would run it with docker.

The build's time and the image's size are written to reports/container-image.json.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from accelevents_mock.contract.cases import TOKENS
from accelevents_mock.control.admin_token import ADMIN_TOKEN_VARIABLE
from tests import podman
from tests.live import free_port

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="podman in this sandbox runs as root")

ATTENDEE = {"Authorization": TOKENS["attendee"]}
EVENT = "/rest/events/mock-event"
REPORT = podman.REPO / "reports" / "container-image.json"


@pytest.fixture(scope="module")
def image() -> str:
    missing = podman.missing_tools()
    assert not missing, f"{', '.join(missing)} missing: run `make container` (or `make test`)"
    podman.ensure_base_image()
    built = podman.build_image()
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text(json.dumps({"base": podman.BASE_IMAGE, "build_seconds": round(built.seconds, 1),
                                  "size_mb": round(built.size_bytes / 1e6)}) + "\n")
    return built.image


@pytest.fixture(scope="module")
def default(image: str) -> Iterator[podman.Container]:
    """No arguments, published on the host's loopback: requests arrive from the container
    bridge, as with `docker run -p 8080:8080`."""
    port = free_port()
    with podman.running(port=port, options=("-p", f"127.0.0.1:{port}:8080"), image=image) as box:
        yield box


def test_the_image_is_the_command_on_8080_as_a_user_with_a_healthcheck(image: str) -> None:
    info = json.loads(podman.podman("image", "inspect", image).stdout)[0]
    config = info["Config"]
    assert config["Entrypoint"] == ["accelevents-mock"]
    assert "8080/tcp" in config["ExposedPorts"]
    assert config["User"] not in ("", "root", "0")
    healthcheck = info.get("Healthcheck") or config.get("Healthcheck")  # podman's place, docker's
    assert healthcheck and healthcheck["Test"][0] == "CMD"


def test_with_no_arguments_it_serves_the_session_list_and_the_panel(
        default: podman.Container) -> None:
    listed = httpx.get(f"{default.url}{EVENT}/session", headers=ATTENDEE, timeout=10)
    assert listed.status_code == 200 and listed.json()["recordsTotal"] > 0, listed.text
    panel = httpx.get(f"{default.url}/__mock/ui/", timeout=10, follow_redirects=True)
    assert panel.status_code == 200 and "<html" in panel.text.lower()
    assert podman.podman("healthcheck", "run", default.name, check=False).returncode == 0


def test_the_control_api_asks_for_the_token_it_printed(default: podman.Container) -> None:
    refused = default.control("/world", token=None)
    assert refused.status_code == 403, refused.text
    world = default.control("/world", token=default.made_token())
    assert world.status_code == 200 and world.json()["seed"] == 42  # the CMD's seed


def test_its_user_is_not_root(default: podman.Container) -> None:
    uid = podman.podman("exec", default.name, "id", "-u").stdout.strip()
    assert uid.isdigit() and uid != "0"


def test_the_contract_suite_passes_against_it(default: podman.Container, tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "accelevents_mock", "test", "--base-url", f"{default.url}/rest",
         "--token", TOKENS["attendee"], "--host-token", TOKENS["host"], "--allow-writes",
         "--rate-limit", "none", "--max-examples", "5", "--seed", "3",
         "--report-dir", str(tmp_path)],
        cwd=podman.REPO, capture_output=True, text=True, timeout=600,
        env={**os.environ, ADMIN_TOKEN_VARIABLE: default.made_token()})
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]
    coverage = json.loads((tmp_path / "error-coverage.json").read_text())
    # Every documented error observed: the suite reached the control API (resets, cases).
    assert coverage["summary"]["observed"] == coverage["summary"]["documented"]


def test_arguments_apply_and_a_given_token_is_never_printed(image: str) -> None:
    port, token = free_port(), secrets.token_hex(16)
    with podman.running("--seed", "7", "--sessions", "20", port=port, image=image,
                        options=("-p", f"127.0.0.1:{port}:8080",
                                 "-e", f"{ADMIN_TOKEN_VARIABLE}={token}")) as box:
        world = box.control("/world", token=token)
        assert world.status_code == 200, world.text
        assert world.json()["seed"] == 7 and len(world.json()["sessions"]) >= 20
        log = box.log()
    assert token not in log and "seed 7: mock-event 20 sessions" in log
    assert podman.TOKEN_LINE.search(log) is None  # nothing made: one was given


def test_it_stops_cleanly_on_sigterm(image: str) -> None:
    port = free_port()
    with podman.running(port=port, image=image, options=("--network", "host", "-e",
                                                         f"ACCELEVENTS_MOCK_PORT={port}")) as box:
        # `podman stop -t 5`: SIGTERM, then SIGKILL after 5 s (exit code 137).
        podman.podman("stop", "-t", "5", box.name, timeout_s=30)
        assert box.state("ExitCode") == "0", box.log()[-2000:]
        assert "Finished server process" in box.log()


def test_two_containers_on_one_redis_are_one_world(image: str) -> None:
    """compose.yaml as written (both mocks and Redis), through podman-compose."""
    podman.ensure_redis_image()
    ports, token = (free_port(), free_port()), secrets.token_hex(16)
    env = {"MOCK_IMAGE": image, "REDIS_IMAGE": podman.REDIS_IMAGE, "MOCK_PORT": str(ports[0]),
           "MOCK_2_PORT": str(ports[1]), ADMIN_TOKEN_VARIABLE: token}
    with podman.compose_up(env=env) as project:
        first, second = (podman.Container(f"{project}_{service}_1", f"http://127.0.0.1:{port}")
                         for service, port in zip(("mock", "mock-2"), ports, strict=True))
        for box in (first, second):
            podman.wait_until_up(box, timeout_s=60)
        workshop = _until_served(second, token)["cases"]["workshop_session"]
        registered = httpx.post(f"{first.url}{EVENT}/session/{workshop}/register",
                                headers=ATTENDEE, timeout=10)
        assert registered.status_code == 200, registered.text
        mine = httpx.get(f"{second.url}{EVENT}/user-session/registered", headers=ATTENDEE,
                         timeout=10)
        assert workshop in [s["sessionId"] for s in mine.json()["data"]], mine.text


def _until_served(box: podman.Container, token: str, timeout_s: float = 30) -> dict:
    """The world, once the mock reaches Redis (compose starts it without waiting for Redis)."""
    deadline = time.monotonic() + timeout_s
    while True:
        world = box.control("/world", token=token)
        if world.status_code == 200 or time.monotonic() > deadline:
            assert world.status_code == 200, world.text
            return world.json()
        time.sleep(0.5)
