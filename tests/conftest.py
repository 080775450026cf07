"""Shared fixtures: a fresh in-process mock per test, at a fixed instant, with a sync client."""

from __future__ import annotations

import warnings
from datetime import UTC, datetime

import pytest

warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
from starlette.testclient import TestClient  # noqa: E402

from mockserver.app import create_app  # noqa: E402
from mockserver.config import MockConfig  # noqa: E402

FIXED_NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def make_client(**config: object) -> TestClient:
    config.setdefault("clock", FIXED_NOW)
    return TestClient(create_app(MockConfig(**config)), raise_server_exceptions=False)


@pytest.fixture(scope="session")
def shared_client() -> TestClient:
    return make_client()


@pytest.fixture
def client(shared_client: TestClient) -> TestClient:
    """The session's mock, put back to its start: seed 42, fixed clock, no faults or cookies."""
    state = shared_client.app.state
    state.clock.set(FIXED_NOW, freeze=True)
    state.faults, state.latency_ms = {}, (0, 0)
    state.force(None)
    state.reset(seed=42, sessions=36)
    shared_client.cookies.clear()
    return shared_client


@pytest.fixture
def world(client: TestClient) -> dict:
    return client.get("/__mock/world").json()


@pytest.fixture
def cases(world: dict) -> dict:
    return world["cases"]
