"""CPU time per request in process: the whole ASGI app, no sockets, no load generator.

wrk's figures mean little while other processes share the cores; CPU time per request does
not depend on them much. Loads: `writes` (register and un-register of one session, in turn,
as make bench's register mix), `mixed` (bench/load.py MIXED) `detail` and `list` (make bench's two GETs).
Configurations run in turn, in short rounds, in one process, so a busy spell hits all alike.

    .venv/bin/python bench/cpu.py mixed --configs default,no-response-cache
    .venv/bin/python bench/cpu.py writes
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import load as loads  # noqa: E402

from accelevents_mock.app import create_app  # noqa: E402
from accelevents_mock.config import MockConfig  # noqa: E402

BASE = "/rest"
REGISTER = f"{BASE}/events/mock-event/session/11001/register"
LOADS = {
    "writes": [("POST", REGISTER), ("DELETE", REGISTER)],
    "mixed": [(method, BASE + path) for method, path in loads.MIXED],
    "detail": [("GET", f"{BASE}/events/mock-event/session/v2/11007")],
    "list": [("GET", f"{BASE}/events/mock-event/session?page=0&size=10&expand=speaker,stats")],
}
CONFIGS = {"default": {}, "no-response-cache": {"response_cache": False},
           "no-pact-capture": {"pact_capture": False},
           "no-fast-path": {"response_cache": False, "fast_path": False}}


def scope(method: str, target: str) -> dict[str, Any]:
    path, _, query = target.partition("?")
    return {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
            "scheme": "http", "path": path, "raw_path": path.encode(), "root_path": "",
            "query_string": query.encode(), "server": ("127.0.0.1", 8080),
            "client": ("127.0.0.1", 5555),
            "headers": [(b"host", b"127.0.0.1:8080"), (b"authorization", b"attendee-token")]}


async def per_method(app: Any, calls: list[tuple[str, str]], n: int) -> dict[str, float]:
    """µs of CPU per request, by method, over `n` requests cycling through `calls`."""
    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start" and message["status"] != 200:
            raise RuntimeError(f"answered {message['status']}: the load must answer 200")

    spent: dict[str, float] = {}
    counted: dict[str, int] = {}
    for i in range(n):
        method, target = calls[i % len(calls)]
        started = time.process_time()
        await app(scope(method, target), receive, send)
        spent[method] = spent.get(method, 0.0) + time.process_time() - started
        counted[method] = counted.get(method, 0) + 1
    spent["all"], counted["all"] = sum(spent.values()), n
    return {method: spent[method] / counted[method] * 1e6 for method in spent}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("load", choices=sorted(LOADS))
    p.add_argument("--configs", default="default", help=f"comma-separated: {', '.join(CONFIGS)}")
    p.add_argument("--rounds", type=int, default=20)
    p.add_argument("--requests", type=int, default=400, help="per round")
    args = p.parse_args()
    calls = LOADS[args.load]
    apps = {name: create_app(MockConfig(**CONFIGS[name])) for name in args.configs.split(",")}
    figures: dict[str, list[dict[str, float]]] = {name: [] for name in apps}

    async def measure() -> None:
        for app in apps.values():
            await per_method(app, calls, len(calls) * 20)  # warm: routes, caches, validators
        for _ in range(args.rounds):
            for name, app in apps.items():
                figures[name].append(await per_method(app, calls, args.requests))

    asyncio.run(measure())
    for name, rounds in figures.items():
        row = ", ".join(f"{method} min {min(r[method] for r in rounds):.1f} median "
                        f"{statistics.median(r[method] for r in rounds):.1f}"
                        for method in rounds[0])
        print(f"{args.load} {name}: µs CPU per request: {row}")


if __name__ == "__main__":
    main()
