"""Consumer contracts with the real Pact tools (docs/pact.md): a Pact JS consumer test's pact
passes `pact check` and the real `pact verifier` against the mock through its state URL; a flow
driven through the generated TypeScript client, exported by the mock, passes the verifier
against a fresh mock of another seed; a mock answering a changed type fails it; the export
holds no token."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml

from accelevents_mock.contract.cases import TOKENS, UNKNOWN_TOKEN
from accelevents_mock.pact import cli as pact_cli
from tests.live import LiveMock, free_port, running_mock
from tests.node import ROOT, run_tool

PACT_BIN = Path(sys.executable).with_name("pact")
# Pact's tools report usage to their makers unless told not to: nothing leaves this machine.
QUIET = {**os.environ, "PACT_DO_NOT_TRACK": "true"}
CONSUMER = "attendee-web"


def verify(pact_file: Path, base_url: str, report: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """The real verifier, with the attendee's token and the mock's state-change URL."""
    binary = PACT_BIN if PACT_BIN.exists() else shutil.which("pact")
    assert binary, "the pact binary is missing: pip install -e '.[test]' (pact-python-cli)"
    port = base_url.rsplit(":", 1)[1]
    return subprocess.run(
        [str(binary), "verifier", "-f", str(pact_file), "-h", "127.0.0.1", "-p", port,
         "-n", "accelevents-session-api", "--header", f"Authorization={TOKENS['attendee']}",
         "--state-change-url", f"{base_url}/__mock/pact/states", "--no-colour", "-j", str(report),
         *extra], capture_output=True, text=True, timeout=300, env=QUIET, check=False)


def results(report: Path) -> dict[str, str]:
    return {r["description"]: r["result"] for r in json.loads(report.read_text())["interactionResults"]}


@pytest.fixture(scope="module")
def js_pact(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("pacts")
    done = run_tool("tsx", "tests/clients/pact_consumer.ts", env={**QUIET, "PACT_DIR": str(directory)})
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("pact ok:") == 6
    return directory / f"{CONSUMER}-accelevents-session-api.json"


def test_the_js_consumer_pact_passes_the_static_check(js_pact: Path, tmp_path: Path) -> None:
    report = tmp_path / "check.json"
    assert pact_cli.main(["check", str(js_pact), "--report", str(report)]) == 0
    assert json.loads(report.read_text())["interactions"] == 6


def test_the_js_consumer_pact_passes_the_verifier_through_the_state_url(js_pact: Path, live: LiveMock,
                                                                         tmp_path: Path) -> None:
    done = verify(js_pact, live.base_url, tmp_path / "verify.json")
    assert done.returncode == 0, done.stdout + done.stderr
    outcome = results(tmp_path / "verify.json")
    assert len(outcome) == 6 and set(outcome.values()) == {"OK"}


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory, generated_types: Path) -> Iterator[tuple[Path, dict]]:
    """The attendee's calls of the generated client's flows against a seed-42 mock, exported."""
    directory = tmp_path_factory.mktemp("exported")
    spec_json = directory / "openapi.json"
    spec_json.write_text(json.dumps(yaml.safe_load((ROOT / "openapi.yaml").read_text())))
    with running_mock("--seed", "42") as mock:
        done = run_tool("tsx", "tests/clients/flow.ts",
                        env={**os.environ, "MOCK_URL": mock.base_url, "SPEC_JSON": str(spec_json),
                             "FLOWS": "listDetailRegisterUnregister"})
        assert done.returncode == 0, done.stdout + done.stderr
        pact = httpx.get(f"{mock.base_url}/__mock/pact",
                         params={"consumer": "generated-client", "role": "attendee"}, timeout=30).json()
        world = httpx.get(f"{mock.base_url}/__mock/world", timeout=10).json()
    path = directory / "generated-client.json"
    path.write_text(json.dumps(pact, indent=2))
    yield path, world


@pytest.fixture(scope="module")
def generated_types() -> Path:
    target = ROOT / "generated" / "openapi.d.ts"
    done = run_tool("openapi-typescript", "openapi.yaml", "-o", str(target))
    assert done.returncode == 0, done.stderr
    return target


def test_an_exported_flow_passes_the_verifier_against_another_seed(exported: tuple[Path, dict],
                                                                     tmp_path: Path) -> None:
    path, _ = exported
    pact = json.loads(path.read_text())
    assert len(pact["interactions"]) >= 6
    with running_mock("--seed", "7") as other:
        done = verify(path, other.base_url, tmp_path / "verify.json")
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert set(results(tmp_path / "verify.json").values()) == {"OK"}


def test_the_export_holds_no_token(exported: tuple[Path, dict]) -> None:
    path, world = exported
    text = path.read_text()
    tokens = {*TOKENS.values(), UNKNOWN_TOKEN, *(u["token"] for u in world["users"])}
    assert [t for t in tokens if t in text] == []
    headers = [name.lower() for i in json.loads(text)["interactions"]
               for name in i["request"].get("headers", {})]
    assert not {"authorization", "key", "authentication", "cookie"} & set(headers)


def test_the_verifier_fails_a_mock_that_answers_a_changed_type(exported: tuple[Path, dict],
                                                               tmp_path: Path) -> None:
    path, _ = exported
    port = free_port()
    with (tmp_path / "server.log").open("w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "tests.broken_servers:wrong_type",
             "--port", str(port), "--log-level", "warning"], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        broken = LiveMock(f"http://127.0.0.1:{port}")
        _wait_for(broken, server)
        done = verify(path, broken.base_url, tmp_path / "verify.json")
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert done.returncode == 1, done.stdout[-3000:]
    failed = [d for d, r in results(tmp_path / "verify.json").items() if r != "OK"]
    assert failed
    assert "$.sessionId -> Expected" in done.stdout and "to be the same type as" in done.stdout


def _wait_for(mock: LiveMock, process: subprocess.Popen) -> None:
    for _ in range(150):
        try:
            httpx.get(f"{mock.base_url}/__mock", timeout=1)
            return
        except httpx.TransportError:
            assert process.poll() is None, "the broken server did not start"
            time.sleep(0.1)
    raise AssertionError("the broken server did not start")
