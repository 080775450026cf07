"""Issue 28: scale-out that writes fast. Two workers sharing one Redis against one in-memory
process and Prism, in turns (A, B, C, A, B, C...), so a busy spell of the machine hits all alike:

- writes (register-mix: register and un-register one session in turn): req/s against Prism's
  and against one in-memory process's, and the p99 of the two Redis workers;
- the mixed load (bench/load.py MIXED) on the two Redis workers against one in-memory process;
- the detail GET on one Redis worker against one in-memory process.

Each ratio is the median over the rounds of that round's ratio (`run.paired_figures`). Run on its
own with `bench/run.py --only redis-writes`; `make bench` runs it with the other parts (its
verdicts print with the others', its rows after the table).
"""

from __future__ import annotations

import statistics
from typing import TYPE_CHECKING, Any

import servers as t
from load import DETAIL_PATH, LIST_PATH
from stats import paired_figures  # the one way pairs measured in turns are judged

if TYPE_CHECKING:
    from measure import Bench

PART = "redis-writes"
REDIS_WORKERS = 2
TARGET_WRITES_VS_PRISM = 3.0  # two Redis workers' writes ≥ 3× Prism's
TARGET_WRITES_VS_MEMORY = 0.5  # ... and ≥ half of one in-memory process's
TARGET_WRITES_P99_MS = 10.0  # the two Redis workers' writes, at the bench's 8 connections
TARGET_MIXED_VS_MEMORY = 0.9  # the mixed load, two Redis workers against one in-memory process
TARGET_DETAIL_VS_MEMORY = 0.9  # the detail GET, one Redis worker against one in-memory process
REDIS_N, REDIS_1, MEMORY, PRISM = f"ours-{REDIS_WORKERS}-redis", "ours-1-redis", "ours-1", "prism"


def measure(bench: Bench) -> dict[str, Any]:
    """Start the servers, drive them in turns, stop them; the figures and the checks."""
    print(f"{PART}: {REDIS_N} and {REDIS_1} on one Redis, {MEMORY} and Prism, in turns "
          f"({bench.rounds_in_turns} rounds each)", flush=True)
    redis_port = t.free_port()
    redis = t.redis(redis_port)
    if redis is None:
        bench.skip(PART, "redis-server is not installed (make redis)")
        return {}
    redis.start(bench.logs)
    bench.running.append(redis)
    t.wait_tcp(redis_port)
    servers = {MEMORY: t.ours(t.free_port(), name=f"{PART}-{MEMORY}"),
               REDIS_N: t.ours(t.free_port(), workers=REDIS_WORKERS, name=f"{PART}-{REDIS_N}",
                               store=f"redis://127.0.0.1:{redis_port}/0"),
               REDIS_1: t.ours(t.free_port(), name=f"{PART}-{REDIS_1}",
                               store=f"redis://127.0.0.1:{redis_port}/1")}
    missing = (f"{t.PRISM_PACKAGE} is not installed and --no-install was given"
               if bench.args.no_install and not t.PRISM_BIN.exists() else t.install_prism())
    if missing is None:
        servers[PRISM] = t.prism(t.free_port())
    else:
        bench.note(f"{PART}: writes are not compared with Prism: {missing}")
    for name, server in servers.items():
        bench.start(server, ready_path=DETAIL_PATH if name == PRISM else LIST_PATH)
    figures: dict[str, Any] = {}
    try:
        for scenario, names in (("register-mix", (REDIS_N, MEMORY, PRISM)),
                                ("mixed", (REDIS_N, MEMORY)), ("detail", (REDIS_1, MEMORY))):
            group = {name: servers[name] for name in names if name in servers}
            bench.warm(group, scenario)
            rounds = bench.in_turns(group, scenario)
            figures[scenario] = {
                "rounds": {name: [r.to_dict() for r in results] for name, results in rounds.items()},
                "p99_ms": {name: _median([r.p99_ms for r in results])
                           for name, results in rounds.items()}}
            rps = {name: [round(r.rps, 1) for r in results] for name, results in rounds.items()}
            first = names[0]
            for other in names[1:]:
                if other in rps:
                    figures[scenario][f"vs {other}"] = paired_figures(rps, first, other)
            _print(scenario, first, rps, figures[scenario])
    finally:
        for server in [*servers.values(), redis]:
            bench.stop(server)
    figures["checks"] = checks(figures)
    return figures


def _median(values: list[float | None]) -> float | None:
    measured = [v for v in values if v is not None]
    return round(statistics.median(measured), 2) if measured else None


def _print(scenario: str, first: str, rps: dict[str, list[float]], figures: dict[str, Any]) -> None:
    for name, rounds in rps.items():
        print(f"  {name:<14} {scenario:<13} {' '.join(map(str, rounds))} req/s, "
              f"p99 median {figures['p99_ms'][name]} ms", flush=True)
    for key, pair in figures.items():
        if key.startswith("vs "):
            print(f"  {first} {key} {scenario}: median of the rounds' ratios {pair['ratio']}",
                  flush=True)


def _ratio(figures: dict[str, Any], scenario: str, other: str) -> float | None:
    ratio: float | None = figures.get(scenario, {}).get(f"vs {other}", {}).get("ratio")
    return ratio


def checks(figures: dict[str, Any]) -> list[dict[str, Any]]:
    """Issue 28's targets, met (True), missed (False) or not measured (None)."""
    def row(what: str, value: float | None, limit: float, at_most: bool = False) -> dict[str, Any]:
        ok = None if value is None else (value <= limit if at_most else value >= limit)
        return {"what": what, "value": value, "limit": limit, "ok": ok}

    p99 = figures.get("register-mix", {}).get("p99_ms", {}).get(REDIS_N)
    return [
        row(f"register-mix: {REDIS_N} ≥ {TARGET_WRITES_VS_PRISM:g}× Prism (in turns)",
            _ratio(figures, "register-mix", PRISM), TARGET_WRITES_VS_PRISM),
        row(f"register-mix: {REDIS_N} ≥ {TARGET_WRITES_VS_MEMORY:.0%} of {MEMORY} (in turns)",
            _ratio(figures, "register-mix", MEMORY), TARGET_WRITES_VS_MEMORY),
        row(f"register-mix: {REDIS_N} p99 ≤ {TARGET_WRITES_P99_MS:g} ms", p99,
            TARGET_WRITES_P99_MS, at_most=True),
        row(f"mixed: {REDIS_N} ≥ {TARGET_MIXED_VS_MEMORY:.0%} of {MEMORY} (in turns)",
            _ratio(figures, "mixed", MEMORY), TARGET_MIXED_VS_MEMORY),
        row(f"detail: {REDIS_1} ≥ {TARGET_DETAIL_VS_MEMORY:.0%} of {MEMORY} (in turns)",
            _ratio(figures, "detail", MEMORY), TARGET_DETAIL_VS_MEMORY),
    ]


def report(figures: dict[str, Any]) -> list[str]:
    """The part's rows for the bench's table: one per server and scenario, then the ratios."""
    lines = []
    for scenario in ("register-mix", "mixed", "detail"):
        f = figures.get(scenario)
        if not f:
            continue
        for name, rounds in f["rounds"].items():
            rps = statistics.median(r["rps"] for r in rounds)
            lines.append(f"{name:<14} {scenario:<13} {rps:>9.1f} req/s (median of "
                         f"{len(rounds)} rounds in turns), p99 {f['p99_ms'][name]} ms")
    return lines
