"""Prints how long building a world takes, by size, and the mock's cold start in process.

Run: .venv/bin/python bench/world_build.py   (figures only; nothing here asserts a speed)
"""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime

from accelevents_mock.app import create_app
from accelevents_mock.world.builder import build_world

ANCHOR = datetime(2026, 3, 10, 12, tzinfo=UTC)


def timed(fn, repeat: int = 3) -> float:
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def main() -> None:
    print(f"{'what':<32} {'median s':>9}")
    for size in (36, 1_000, 10_000):
        seconds = timed(lambda size=size: build_world(42, size, ANCHOR))
        print(f"{f'build world, {size} sessions':<32} {seconds:>9.3f}")
    print(f"{'create_app (default world)':<32} {timed(create_app):>9.3f}")


if __name__ == "__main__":
    main()
