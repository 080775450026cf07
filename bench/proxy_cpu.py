"""The validating proxy's CPU time per exchange, in process: the whole ASGI app with --proxy,
its target a second mock in its own process (so only the proxy's work is counted).

8 exchanges at a time, as make bench's 8 wrk connections; the least of several runs counts
(other processes only ever add to it). No HTTP server in front (uvicorn's parsing of the
caller's request is the same with or without the proxy), but the call to the target is real.

    .venv/bin/python bench/proxy_cpu.py [--requests 2000] [--repeat 5] [--scenarios list,detail]

`--served` counts what make bench counts instead: the proxy as `python -m accelevents_mock --proxy`
in its own process too (uvicorn's HTTP included), under wrk's 8 connections for a few seconds,
its CPU (/proc) divided by the exchanges wrk saw.

    .venv/bin/python bench/proxy_cpu.py --served [--seconds 5] [--repeat 3]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import servers as srv  # noqa: E402
from load import Load  # noqa: E402
from store_cpu import PATHS, get  # noqa: E402  (one GET driver for the in-process benches)

from accelevents_mock.app import create_app  # noqa: E402
from accelevents_mock.config import MockConfig  # noqa: E402
from accelevents_mock.proxy.settings import ProxySettings  # noqa: E402

AT_ONCE = 8  # exchanges in flight, as make bench's wrk connections


async def run(app: Any, target: str, requests: int) -> float:
    """CPU seconds per exchange, after a warm-up."""
    for _ in range(50):
        assert await get(app, target) == 200
    rounds = requests // AT_ONCE
    started = time.process_time()
    for _ in range(rounds):
        statuses = await asyncio.gather(*(get(app, target) for _ in range(AT_ONCE)))
        assert statuses == [200] * AT_ONCE, statuses
    return (time.process_time() - started) / (rounds * AT_ONCE)


def served(url: str, args: argparse.Namespace, logs: Path) -> dict[str, float]:
    """CPU seconds per exchange of a proxy process under wrk, the least of `args.repeat` runs."""
    proxy = srv.ours(srv.free_port(), name="proxy-cpu-proxy", proxy=url)
    proxy.start(logs)
    load = Load(threads=2, connections=AT_ONCE, seconds=args.seconds)
    try:
        proxy.wait_ready(PATHS["detail"].removeprefix("/rest"))
        found = {}
        for scenario in args.scenarios.split(","):
            where = f"http://127.0.0.1:{proxy.port}{PATHS[scenario]}"
            load.run(where, seconds=1)  # warm
            runs = []
            for _ in range(args.repeat):
                used = srv.cpu_s(proxy.pid)
                result = load.run(where)
                assert result.non_2xx == 0 and result.socket_errors == 0, result
                runs.append((srv.cpu_s(proxy.pid) - used) / result.requests)
            found[scenario] = min(runs)
        return found
    finally:
        proxy.stop()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--requests", type=int, default=2000, help="per run")
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--scenarios", default="list,detail")
    p.add_argument("--served", action="store_true", help="the proxy in its own process, under wrk")
    p.add_argument("--seconds", type=int, default=5, help="--served: of each wrk run")
    p.add_argument("--loop", choices=("uvloop", "asyncio"), default="uvloop",
                   help="uvloop: as uvicorn runs the mock when it is installed")
    args = p.parse_args()
    target = srv.ours(srv.free_port(), name="proxy-cpu-target")
    logs = Path(tempfile.mkdtemp(prefix="mock-proxy-cpu-"))
    target.start(logs)
    try:
        target.wait_ready(PATHS["detail"].removeprefix("/rest"))
        url = f"http://127.0.0.1:{target.port}{target.base}"
        if args.served:
            figures = served(url, args, logs)
            report(figures, f"served, least of {args.repeat} wrk runs of {args.seconds} s")
            return
        app = create_app(MockConfig(proxy=ProxySettings(target=url)))

        async def measure() -> dict[str, float]:
            found = {}
            for scenario in args.scenarios.split(","):
                found[scenario] = min([await run(app, PATHS[scenario], args.requests)
                                       for _ in range(args.repeat)])
            return found

        if args.loop == "uvloop":
            import uvloop  # noqa: PLC0415 - only for this choice

            figures = uvloop.run(measure())
        else:
            figures = asyncio.run(measure())
    finally:
        target.stop()
    report(figures, f"in process, least of {args.repeat} runs of {args.requests}")


def report(figures: dict[str, float], how: str) -> None:
    for scenario, seconds in figures.items():
        print(f"proxy {scenario}: {seconds * 1e3:.3f} ms CPU per exchange ({how})")


if __name__ == "__main__":
    main()
