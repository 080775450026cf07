"""Shared fixtures: a fresh in-process mock per test, at a fixed instant, with a sync client;
a real Redis for the shared-store tests (`server`, one per test module that asks for it)."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
from starlette.testclient import TestClient  # noqa: E402

from accelevents_mock.app import create_app  # noqa: E402
from accelevents_mock.config import MockConfig  # noqa: E402
from tests.redis_server import RedisServer, running_redis  # noqa: E402

FIXED_NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def make_client(**config: object) -> TestClient:
    config.setdefault("clock", FIXED_NOW)
    return TestClient(create_app(MockConfig(**config)), raise_server_exceptions=False)


@pytest.fixture(scope="module")
def server() -> Iterator[RedisServer]:
    """redis-server on a free port, for the module's tests (an error says `make redis` if missing)."""
    with running_redis() as server:
        yield server


@pytest.fixture(scope="session")
def shared_client() -> TestClient:
    return make_client()


@pytest.fixture
def client(shared_client: TestClient) -> TestClient:
    """The session's mock, put back to its start: seed 42, fixed clock, no faults or cookies.
    Through the control API, as any client (or another worker) would see it done."""
    shared_client.cookies.clear()
    for method, path, body in (
        ("PUT", "/__mock/clock", {"now": FIXED_NOW.isoformat(), "frozen": True}),
        ("PUT", "/__mock/faults", {"latencyMs": "0", "faults": {}}),
        ("PUT", "/__mock/scenario", {"scenario": None}),
        ("POST", "/__mock/reset", {"seed": 42, "sessions": 36}),
    ):
        response = shared_client.request(method, path, json=body)
        assert response.status_code == 200, response.text
    return shared_client


@pytest.fixture
def world(client: TestClient) -> dict:
    return client.get("/__mock/world").json()


@pytest.fixture
def cases(world: dict) -> dict:
    return world["cases"]
