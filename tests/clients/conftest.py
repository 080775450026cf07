"""What the generated-client tests share: one mock process on a free port, put back to its start
before each flow, and the names of the sessions the documented flows use."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.live import LiveMock, running_mock


@pytest.fixture(scope="package")
def live() -> Iterator[LiveMock]:
    with running_mock("--seed", "42") as mock:
        yield mock


@pytest.fixture
def cases(live: LiveMock) -> dict:
    """The named sessions and tokens of a freshly reset world (GET /__mock/world)."""
    httpx.post(f"{live.base_url}/__mock/reset", timeout=10).raise_for_status()
    return httpx.get(f"{live.base_url}/__mock/world", timeout=10).json()["cases"]
