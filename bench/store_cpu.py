"""CPU time per GET in process, memory store vs Redis store, and Redis round trips per GET.

Calls the ASGI app directly (no HTTP, no client in the same process), 8 requests at a time as
wrk's 8 connections would, so the figures are the mock's own work and hold up on a busy
machine. Needs `redis-server` (make redis).

    .venv/bin/python bench/store_cpu.py [--requests 2000] [--repeat 7] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cpu import scope  # noqa: E402  (one scope builder for the in-process benches)

from accelevents_mock.app import create_app  # noqa: E402
from accelevents_mock.config import MockConfig  # noqa: E402
from tests.redis_server import redis_server  # noqa: E402

PATHS = {"list": "/rest/events/mock-event/session?page=0&size=10&expand=speaker,stats",
         "detail": "/rest/events/mock-event/session/v2/11001"}
CONCURRENCY = [8]  # requests in flight at once (--concurrency)
REPEATS = [7]  # the least CPU of this many runs counts: other processes only ever add to it


async def get(app: Any, target: str) -> int:
    status = 0

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope("GET", target), receive, send)
    return status


async def run(app: Any, target: str, requests: int) -> float:
    """CPU seconds per GET, after a warm-up."""
    for _ in range(50):
        assert await get(app, target) == 200
    at_once = CONCURRENCY[0]
    rounds = requests // at_once
    started = time.process_time()
    for _ in range(rounds):
        statuses = await asyncio.gather(*(get(app, target) for _ in range(at_once)))
        assert statuses == [200] * at_once, statuses
    await asyncio.sleep(0.3)  # anything the requests left to the loop (write-behind) counts too
    return (time.process_time() - started) / (rounds * at_once)


ROUND_TRIPS = [0]  # commands or pipelines this process sent to Redis


def count_round_trips() -> None:
    from redis.asyncio.connection import AbstractConnection

    send = AbstractConnection.send_packed_command

    async def counted(self: Any, command: Any, check_health: bool = True) -> None:
        ROUND_TRIPS[0] += 1
        await send(self, command, check_health)

    AbstractConnection.send_packed_command = counted  # type: ignore[method-assign]


async def measure(url: str, requests: int, cache: bool) -> None:
    """Both stores in one loop, run after run in turn, so a busy spell of the machine weighs on
    both alike; the least CPU of the runs counts."""
    apps = {"memory": create_app(MockConfig(response_cache=cache)),
            "redis": create_app(MockConfig(store=url, response_cache=cache))}
    for name, target in PATHS.items():
        cpu = {store: float("inf") for store in apps}
        round_trips = 0
        for _ in range(REPEATS[0]):
            for store, app in apps.items():
                before = ROUND_TRIPS[0]
                cpu[store] = min(cpu[store], await run(app, target, requests))
                round_trips += ROUND_TRIPS[0] - before
        per_get = round_trips / (REPEATS[0] * requests)
        print(f"{name:7} memory {cpu['memory'] * 1e6:7.1f} µs/GET   redis {cpu['redis'] * 1e6:7.1f} "
              f"µs/GET   memory/redis {cpu['memory'] / cpu['redis']:5.2f}   "
              f"Redis round trips per GET {per_get:.3f}", flush=True)
    for app in apps.values():
        close = getattr(app.state.backend, "close", None)
        if close is not None:
            await close()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--requests", type=int, default=2000, help="per run")
    p.add_argument("--concurrency", type=int, default=CONCURRENCY[0])
    p.add_argument("--repeat", type=int, default=REPEATS[0], help="runs of each store")
    p.add_argument("--no-response-cache", action="store_true")
    args = p.parse_args()
    CONCURRENCY[0], REPEATS[0] = args.concurrency, args.repeat
    count_round_trips()
    with redis_server() as port:
        asyncio.run(measure(f"redis://127.0.0.1:{port}/0", args.requests,
                            not args.no_response_cache))


if __name__ == "__main__":
    main()
