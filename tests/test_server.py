"""The server starts, serves the spec and Swagger UI, answers every operation within the
contract, and turns malformed requests into the documented 400 body."""

from __future__ import annotations

import inspect
import subprocess
import sys
import zipfile
from pathlib import Path

import httpx
import pytest

from mockserver.api.handlers import Operations
from mockserver.contract import catalogue
from mockserver.contract.cases import TOKENS
from mockserver.contract.spec import operations
from tests.api import call
from tests.live import running_mock

ROOT = Path(__file__).resolve().parents[1]
BAD_REQUEST_BODY_KEYS = {"errorCode": "400", "errorMessage": catalogue.BAD_REQUEST.message}


@pytest.mark.parametrize("operation_id", sorted(operations()))
def test_every_operation_has_a_handler(operation_id: str) -> None:
    handler = getattr(Operations, operation_id, None)
    assert inspect.iscoroutinefunction(handler), f"add {operation_id} to mockserver/api/handlers.py"


def test_serves_spec_and_swagger_ui(client) -> None:
    spec = client.get("/openapi.yaml")
    assert spec.status_code == 200 and spec.text.startswith("openapi: 3.0.3")
    ui = client.get("/ui", follow_redirects=True)
    assert ui.status_code == 200 and "swagger" in ui.text.lower()


@pytest.mark.parametrize("operation", sorted(operations()))
def test_every_operation_answers_within_the_contract(client, cases, operation) -> None:
    session = cases["networking_session"] if "Networking" in operation else cases["workshop_session"]
    token = TOKENS["host"] if operation.startswith(("getHost", "getSessionAn")) else TOKENS["attendee"]
    params = {"status": "REGISTERED"} if operation == "setNetworkingAvailability" else None
    response = call(client, operation, session=session, token=token, params=params)
    assert response.status_code < 500


@pytest.mark.parametrize("operation,params", [
    ("listSessions", {"page": "-1"}),
    ("listSessions", {"size": "0"}),
    ("listSessions", {"size": "abc"}),
    ("listSessions", {"sessionFormat": "CONCERT"}),
    ("listSessions", {"trackIds": "1,x"}),
    ("getRegisteredSessions", {"filterDate": "yesterday"}),
    ("setNetworkingAvailability", {"status": "DANCING"}),
    ("setNetworkingAvailability", {}),
    ("registerForSession", {"joinSession": "maybe"}),
])
def test_malformed_request_gets_documented_400(client, cases, operation, params) -> None:
    response = call(client, operation, session=cases["open_session"], params=params)
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert {k: body[k] for k in BAD_REQUEST_BODY_KEYS} == BAD_REQUEST_BODY_KEYS
    assert body["developerMessage"]  # says which parameter was wrong


@pytest.mark.parametrize("path", ["/rest/events/mock-event/session/v2/abc",
                                  "/rest/events/mock%00event/session",
                                  "/rest/events/..%2F..%2Fetc/session"])
def test_malformed_path_gets_documented_error_not_500(client, path) -> None:
    response = client.get(path, headers={"Authorization": TOKENS["attendee"]})
    assert response.status_code in (400, 404)
    assert response.json()["errorCode"] in ("400", "404")


def test_unknown_path_and_method_use_the_error_body(client) -> None:
    assert client.get("/rest/nothing/here").json()["errorCode"] == "404"
    response = client.delete("/rest/events/mock-event/session", headers={"Authorization": "x"})
    assert response.status_code == 405 and response.json()["errorCode"] == "405"


def test_non_utf8_body_is_a_client_error(client, cases) -> None:
    response = client.post(f"/rest/events/mock-event/session/{cases['open_session']}/register",
                           content=b"\xff\xfe{", headers={"Authorization": TOKENS["attendee"],
                                                         "Content-Type": "application/json"})
    assert response.status_code < 500


def test_oversized_body_gets_413(client, cases) -> None:
    response = client.post(f"/rest/events/mock-event/session/{cases['open_session']}/register",
                           content=b"x" * (1024 * 1024 + 1),
                           headers={"Authorization": TOKENS["attendee"]})
    assert response.status_code == 413 and response.json()["errorCode"] == "413"


def test_mockserver_command_starts_a_real_server() -> None:
    with running_mock() as live:
        spec = httpx.get(f"{live.base_url}/openapi.yaml")
        sessions = httpx.get(f"{live.base_url}/rest/events/mock-event/session",
                             headers={"Authorization": TOKENS["attendee"]})
    assert spec.status_code == 200
    assert sessions.status_code == 200 and sessions.json()["recordsTotal"] > 0
    assert "Swagger UI" in live.output and "host…" in live.output  # the banner, tokens masked


def test_reset_fault_drops_the_connection() -> None:
    with running_mock("--fault", "listSessions=reset") as live:
        with pytest.raises(httpx.RemoteProtocolError):
            httpx.get(f"{live.base_url}/rest/events/mock-event/session",
                      headers={"Authorization": TOKENS["attendee"]})
        still_up = httpx.get(f"{live.base_url}/rest/events/mock-event/user-session/registered",
                             headers={"Authorization": TOKENS["attendee"]})
    assert still_up.status_code == 200


def test_wheel_ships_the_spec_and_only_our_import_names(tmp_path) -> None:
    wheel = build_wheel(tmp_path)
    with zipfile.ZipFile(wheel) as archive:
        shipped = archive.read("mockserver/openapi.yaml")
        names = archive.namelist()
    assert shipped == (ROOT / "openapi.yaml").read_bytes()
    assert "mockserver/py.typed" in names
    top_level = {name.split("/")[0] for name in names if not name.split("/")[0].endswith(".dist-info")}
    assert top_level == {"mockserver", "contract_tests"}


def test_installs_next_to_pypis_fixtures(tmp_path) -> None:
    # `fixtures` is a PyPI project (testtools and many suites import it): ours must not shadow it.
    wheel = build_wheel(tmp_path)
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site),
                    str(wheel), "fixtures"], check=True, capture_output=True)
    probe = ("import sys; sys.path.insert(0, sys.argv[1]); import fixtures, mockserver.contract.catalogue;"
             "print(fixtures.__file__); print(hasattr(fixtures, 'Fixture'))")
    done = subprocess.run([sys.executable, "-c", probe, str(site)], cwd=tmp_path, check=True,
                          capture_output=True, text=True)
    location, is_pypis = done.stdout.split()
    assert Path(location) == site / "fixtures" / "__init__.py" and is_pypis == "True"


def build_wheel(directory: Path) -> Path:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(directory), str(ROOT)], check=True, capture_output=True)
    return next(directory.glob("*.whl"))


@pytest.mark.parametrize("path,allowed", [
    ("/rest/events/mock-event/session", "GET"),
    ("/rest/events/mock-event/session/11001/register", "DELETE, POST"),
    ("/rest/events/mock-event/session/v2", "GET"),  # not /session/{id}'s PUT
])
def test_405_names_every_documented_method(client, path, allowed) -> None:
    response = client.request("TRACE", path, headers={"Authorization": TOKENS["attendee"]})
    assert response.status_code == 405 and response.headers["allow"] == allowed


def test_empty_id_list_is_an_empty_filter(client) -> None:
    everything = call(client, "listSessions", params={"size": 1000}).json()
    unfiltered = call(client, "listSessions", params={"size": 1000, "trackIds": "", "tagIds": ""})
    assert unfiltered.status_code == 200 and unfiltered.json() == everything


def test_int64_overflow_in_query_is_a_400(client) -> None:
    response = call(client, "listSessions",
                    params={"currentUserRegisteredEventTicketId": str(2**63)})
    assert response.status_code == 400
