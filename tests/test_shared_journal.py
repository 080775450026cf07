"""The shared store's journal, written behind the requests (`store/shared_journal.py`), in
process on a real Redis: a GET makes no round trip while nothing changes, and no entry is lost
(read from another mock, at shutdown, while Redis does not answer)."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from accelevents_mock.app import MockApp
from accelevents_mock.contract.cases import EVENT_URL
from accelevents_mock.store import shared_journal
from tests.redis_server import RedisServer, count_round_trips, in_process_mock

LISTING = f"/rest/events/{EVENT_URL}/session?size=5"


@pytest.fixture
def round_trips(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """Every command (or pipeline) this process sends to Redis, as it goes out."""
    return count_round_trips(monkeypatch)


async def journal_paths(client: httpx.AsyncClient) -> list[str]:
    answer = await client.get("/__mock/journal")
    assert answer.status_code == 200, answer.text
    return [f"{e['path']} {e['status']}" for e in answer.json()["entries"]]


async def start_the_log(client: httpx.AsyncClient) -> None:
    """Two GETs: the log is started, then read once (this worker's own change)."""
    for _ in range(2):
        assert (await client.get(LISTING)).status_code == 200
        await asyncio.sleep(0.05)


def test_a_get_makes_no_round_trip_while_nothing_changes(
        server: RedisServer, round_trips: list[bytes], monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 17: nothing read from the log, nothing written to the journal on the request's path."""
    monkeypatch.setattr(shared_journal, "FLUSH_AFTER_S", 3600)  # the write-behind: not now

    async def scenario() -> None:
        async with in_process_mock(server, 0) as (_, client):
            await start_the_log(client)
            round_trips.clear()
            answers = await asyncio.gather(*(client.get(f"{LISTING}&page={i % 3}") for i in range(20)))
            assert [a.status_code for a in answers] == [200] * 20
            for page in range(3):
                assert (await client.get(f"{LISTING}&page={page}")).status_code == 200
            await asyncio.sleep(0.05)  # whatever the requests left to the loop
            assert round_trips == []
            # Every entry is still there for a reader, which asks for it.
            paths = await journal_paths(client)
            assert len(paths) == 25
            assert round_trips

    asyncio.run(scenario())


def test_the_buffer_goes_to_redis_by_itself_and_at_shutdown(server: RedisServer,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shared_journal, "FLUSH_AFTER_S", 0.05)

    async def scenario() -> None:
        async with in_process_mock(server, 1) as (writer, client), in_process_mock(server, 1) as (_, reader):
            await client.get(LISTING)
            await asyncio.sleep(0.3)  # stored by the write-behind, not by a reader's hand-over
            assert await writer.state.backend.redis.zcard(shared_journal.JOURNAL_NEW) == 1
            monkeypatch.setattr(shared_journal, "FLUSH_AFTER_S", 3600)
            await client.get(f"{LISTING}&page=1")
            await lifespan_shutdown(writer)  # as uvicorn does when it stops a worker
            assert await journal_paths(reader) == [f"{LISTING.split('?')[0]} 200"] * 2

    asyncio.run(scenario())


async def lifespan_shutdown(app: MockApp) -> None:
    messages = iter([{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}])
    sent: list[str] = []

    async def receive() -> dict:
        return next(messages)

    async def send(message: dict) -> None:
        sent.append(message["type"])

    await app({"type": "lifespan", "asgi": {"version": "3.0"}}, receive, send)
    assert sent == ["lifespan.startup.complete", "lifespan.shutdown.complete"]


def test_entries_answered_while_redis_does_not_answer_are_stored_once_it_does(
        server: RedisServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shared_journal, "FLUSH_AFTER_S", 0.05)
    monkeypatch.setattr(shared_journal, "RETRY_AFTER_S", 0.2)

    async def scenario() -> None:
        async with in_process_mock(server, 2) as (_, client):
            await start_the_log(client)
            server.pause()
            try:  # nothing changed: answered from this worker's copy; the entries wait
                for page in range(3):
                    assert (await client.get(f"{LISTING}&page={page}")).status_code == 200
                await asyncio.sleep(1)  # a store or two timed out meanwhile
            finally:
                server.pause(False)
            await asyncio.sleep(0.5)
            assert len(await journal_paths(client)) == 5

    asyncio.run(scenario())


def test_a_reset_drops_entries_of_the_old_world_still_in_a_buffer(
        server: RedisServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shared_journal, "FLUSH_AFTER_S", 3600)

    async def scenario() -> None:
        async with in_process_mock(server, 3) as (_, one), in_process_mock(server, 3) as (_, two):
            await one.get(LISTING)  # in one's buffer...
            assert (await two.post("/__mock/reset")).status_code == 200  # ...of the old world
            await two.get(f"{LISTING}&page=1")
            assert await journal_paths(one) == [f"{LISTING.split('?')[0]} 200"]

    asyncio.run(scenario())


def test_a_reader_answers_503_when_a_worker_does_not_hand_over(server: RedisServer,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker that is subscribed but does not answer (stopped, stuck) may hold answered calls:
    the reader says so, rather than list a journal with calls missing."""
    monkeypatch.setattr(shared_journal, "HANDOVER_S", 0.3)

    async def scenario() -> None:
        async with in_process_mock(server, 4) as (stuck, one), in_process_mock(server, 4) as (_, two):
            await one.get(LISTING)  # subscribed, and its entry in its buffer
            monkeypatch.setattr(stuck.state.backend.journal, "hand_over", lambda reader: None)
            answer = await two.get("/__mock/journal")
            assert answer.status_code == 503
            assert answer.headers["Retry-After"].isdigit()
            assert "1 of the 2 workers" in answer.json()["developerMessage"]

    asyncio.run(scenario())
