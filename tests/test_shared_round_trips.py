"""Issue 28: a write on the shared store costs one round trip to Redis, counted in process on a
real Redis through the whole request path (the catch-up before the call included), with two
workers writing in turn, each after the other's change."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

import httpx
import pytest

from accelevents_mock.app import create_app
from accelevents_mock.config import MockConfig
from accelevents_mock.contract.cases import EVENT_URL, TOKENS
from accelevents_mock.store import shared_journal
from tests.redis_server import RedisServer, count_round_trips

API = f"/rest/events/{EVENT_URL}"
ROUND_TRIPS_PER_WRITE = 1  # the commit script; the other worker's change came with its message


@asynccontextmanager
async def worker(server: RedisServer, db: int) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(MockConfig(store=f"redis://127.0.0.1:{server.port}/{db}"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://mock",
                                 headers={"Authorization": TOKENS["attendee"]}) as client:
        yield client
    await app.state.close()


def test_each_registration_takes_one_round_trip(server: RedisServer,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shared_journal, "FLUSH_AFTER_S", 3600)  # the journal: written behind
    sent = count_round_trips(monkeypatch)

    async def scenario() -> list[tuple[str, int, int]]:
        async with AsyncExitStack() as stack:
            one, two = [await stack.enter_async_context(worker(server, 0)) for _ in range(2)]
            session_id = (await one.get("/__mock/world")).json()["cases"]["open_session"]
            register = f"{API}/session/{session_id}/register"
            for client in (two, one):  # both follow the log, the news of its start heard
                await asyncio.sleep(0.05)
                await client.get(f"{API}/session/v2/{session_id}")
            trips = []
            for turn, client in enumerate((one, two, two, one) * 2):  # after the other's change, or its own
                method = ("POST", "DELETE")[turn % 2]
                await asyncio.sleep(0.05)  # the other worker's change reaches this one's socket
                sent.clear()
                answer = await client.request(method, register)
                trips.append((method, answer.status_code, len(sent)))
            await asyncio.sleep(0.05)
            registered = (await two.get(f"{API}/user-session/registered")).json()["data"]
            assert [s["sessionId"] for s in registered] == []  # the last turn un-registered
            return trips

    trips = asyncio.run(scenario())
    assert trips == [(method, 200, ROUND_TRIPS_PER_WRITE) for method in ("POST", "DELETE") * 4]
