"""A plain `accelevents-mock` starts without the work only some uses need (issue 17: cold start ≤ 1 s).

The time itself is measured by `make bench` (a timed test would fail on a busy machine); these
tests keep what makes it short: modules a plain mock never uses stay unimported, Connexion
gets the shipped spec without checking it again (tests/test_spec.py checks it instead), the
spec is parsed once, and the cycle collector waits until the server is built.
"""

from __future__ import annotations

import contextlib
import copy
import subprocess
import sys

import pytest
from connexion import AsyncApp
from connexion.options import SwaggerUIOptions
from connexion.resolver import Resolver

from accelevents_mock.api.connexion_compat import ShippedSpecification, SpringArrayURIParser, add_shipped_api
from accelevents_mock.contract.spec import BASE_PATH, SPEC_PATH, load, operations
from tests.live import free_port
from tests.redis_server import redis_server

# What each would add to every start, were it imported there.
LAZY_MODULES = {
    "aiohttp": "the validating proxy's client: about 0.2 s",
    "openapi_schema_validator": "judging answers against the spec (the proxy, `record`, the "
                                "harness), with the pydantic it loads: about 0.15 s",
}
# The default mock, built as the command line builds it, answering its first list request.
PLAIN_START = f"""
import asyncio, sys
import httpx
from accelevents_mock.app import create_app
from accelevents_mock.cli import config_from, parse_args

async def first_list() -> int:
    transport = httpx.ASGITransport(app=create_app(config_from(parse_args([]))))
    async with httpx.AsyncClient(transport=transport, base_url="http://mock") as client:
        answer = await client.get("{BASE_PATH}/events/mock-event/session?page=0&size=10",
                                  headers={{"Authorization": "attendee-token"}})
        return answer.status_code

status = asyncio.run(first_list())
print(status, *sorted(name for name in {sorted(LAZY_MODULES)!r} if name in sys.modules))
"""


# `python -m accelevents_mock ARGS` up to the call that would serve: is the cycle collector on then,
# how many objects did start-up leave out of its passes, how many passes did start-up run?
SERVE_PROBE = """
import gc, runpy, sys
import uvicorn

def serve(app, **options):
    passes = sum(generation["collections"] for generation in gc.get_stats()) - before
    print(gc.isenabled(), gc.get_freeze_count(), passes)

uvicorn.run = serve
sys.argv = ["accelevents-mock", *sys.argv[1:]]
before = sum(generation["collections"] for generation in gc.get_stats())
runpy.run_module("accelevents_mock", run_name="__main__")
"""
# `python -m accelevents_mock record`: is the collector on for the recording?
RECORD_PROBE = """
import gc, runpy, sys
import accelevents_mock.recording.walk

accelevents_mock.recording.walk.main = lambda argv: print(gc.isenabled())
sys.argv = ["accelevents-mock", "record"]
runpy.run_module("accelevents_mock", run_name="__main__")
"""


def run_python(script: str, *args: str) -> list[str]:
    ran = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True,
                         timeout=60, check=True)
    return ran.stdout.split()


@pytest.fixture(scope="module")
def plain_start() -> list[str]:
    """The first list request's status, then the lazy modules a plain start imported."""
    return run_python(PLAIN_START)


@pytest.mark.parametrize("module", sorted(LAZY_MODULES))
def test_a_plain_start_does_not_import(plain_start: list[str], module: str) -> None:
    assert plain_start[0] == "200"
    assert module not in plain_start[1:], f"{module} is imported at start: {LAZY_MODULES[module]}"


def test_the_shipped_api_is_registered_as_connexions_add_api_registers_it() -> None:
    options = {"base_path": BASE_PATH, "resolver": Resolver(), "strict_validation": False,
               "uri_parser_class": SpringArrayURIParser,
               "swagger_ui_options": SwaggerUIOptions(swagger_ui_path="/ui")}
    ours, connexions = AsyncApp(__name__), AsyncApp(__name__)
    add_shipped_api(ours, load(), **options)
    connexions.add_api(copy.deepcopy(load()), **options)
    [api], [expected] = ours.middleware.apis, connexions.middleware.apis
    assert isinstance(api.specification, ShippedSpecification)
    assert (api.base_path, api.kwargs) == (expected.base_path, expected.kwargs)
    assert api.specification.raw == expected.specification.raw
    assert api.specification.spec == expected.specification.spec


def test_the_spec_is_parsed_once_however_its_path_is_given() -> None:
    assert load() is load(SPEC_PATH) is load(str(SPEC_PATH))
    assert operations() is operations(SPEC_PATH)


@pytest.mark.parametrize("workers", [1, 2], ids=["one process", "workers"])
def test_the_collector_waits_for_the_start_and_then_collects(workers: int) -> None:
    with contextlib.ExitStack() as stack:  # workers share a store, which must answer at start
        store = []
        if workers > 1:
            redis_port = stack.enter_context(redis_server())
            store = ["--workers", "2", "--store", f"redis://127.0.0.1:{redis_port}/0"]
        probe = run_python(SERVE_PROBE, "--port", str(free_port()), *store)
    enabled, frozen, passes = probe[-3:]
    assert enabled == "True"  # what serving allocates is collected
    assert int(frozen) > 50_000  # the start-up's objects are left out of every later pass
    assert int(passes) < 10  # about 150 with the collector on at start


def test_the_collector_is_on_for_a_recording() -> None:
    assert run_python(RECORD_PROBE) == ["True"]
