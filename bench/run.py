"""`make bench`: our mock (1 worker, N workers), Prism 5 and a bare Starlette ceiling, under the
same wrk load on the same machine, in one run.

Run: .venv/bin/python bench/run.py [--quick] [--json PATH] [--only PART[,PART]]

Prints one table (req/s, p50, p99, ours/Prism, ours/ceiling) with rows for ours-1 (one
worker), ours-1-nc (one worker computing every answer: --no-response-cache), ours-1-redis and
ours-N (1 and N workers on Redis), Prism, Mockoon CLI (serving openapi.yaml), WireMock (static
stubs of our bytes) and the ceiling, over list, detail, register-mix and the mixed load
(bench/load.py MIXED); the npm references are installed on first run, pinned. Then cold
start, RSS after warm-up, computed list latency with 100 vs 10,000 sessions, what the
validating proxy adds at p50 (ours-proxy, in front of a second ours-1, against calling it
directly, in turns), the pytest plugin's set-up of a fresh mock per test (bench/plugin_setup.py),
and whether each of our servers meets its goals (bench/goals.py), met or missed, one line
each.
`--quick` runs every part briefly to prove the bench works (figures only; it never judges a
speed by its exit code). Without wrk or npm, quick mode says so and makes do (Python load
generator, no Prism row); full mode fails.

This file is the command line and the order of the parts; the parts are bench/measure.py, the
servers they start bench/servers.py, the statistics bench/stats.py, the goals bench/goals.py
and the report bench/report.py.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import load as loads  # noqa: E402
import redis_writes  # noqa: E402
from goals import checks  # noqa: E402
from measure import Bench  # noqa: E402
from report import report  # noqa: E402
from stats import Results, add_ratios  # noqa: E402

# The bench's parts in running order: `--only proxy` runs one of them (the figures of a part
# measured alone are comparable with that part's in a full run; checks of what is not run
# show as not measured). Each is a method of measure.Bench.
PARTS = {"ours": "ours_one_worker", "computed": "ours_computed", "workers": "ours_workers",
         "prism": "prism", "mockoon": "mockoon", "wiremock": "wiremock", "ceiling": "ceiling",
         "world-size": "world_sizes", "proxy": "proxy_overhead", "paired": "paired",
         "plugin": "plugin_setup", redis_writes.PART: "redis_writes"}
# They answer the bytes `ours` captures, so it runs too.
NEEDS_OUR_BYTES = {"wiremock", "ceiling", "paired"}


def parts(text: str) -> list[str]:
    chosen = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in chosen if name not in PARTS]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(f"unknown part(s) {', '.join(unknown) or text!r}; "
                                         f"choose from {', '.join(PARTS)}")
    if NEEDS_OUR_BYTES & set(chosen):
        chosen.append("ours")
    return [name for name in PARTS if name in chosen]  # in running order, each once


def run(args: argparse.Namespace) -> Results:
    """Every part chosen, in order, then the ratios and the goals judged."""
    started = time.perf_counter()
    bench = Bench(args)
    results = bench.results
    results["machine"] = machine()
    if not bench.use_wrk:
        if not bench.quick:
            raise SystemExit("bench: wrk is not installed (make wrk)")
        bench.note("wrk is not installed: the load comes from bench/load.py's Python "
                   "generator instead (quick mode only)")
    results["load"] = {"tool": "wrk" if bench.use_wrk else "python",
                       "threads": bench.load.threads, "connections": bench.load.connections,
                       "seconds": bench.load.seconds, "warmup_s": bench.warmup_s}
    print(f"load: {results['load']}; logs in {bench.logs}", flush=True)
    try:
        for part in args.only or PARTS:
            getattr(bench, PARTS[part])()
    finally:
        bench.stop_all()
    add_ratios(results)
    results["checks"] = checks(results)
    if results.get("redis_writes", {}).get("checks"):  # judged by bench/redis_writes.py
        results["checks"][redis_writes.REDIS_N] = results["redis_writes"]["checks"]
    results["elapsed_s"] = round(time.perf_counter() - started, 1)
    return results


def machine() -> dict[str, Any]:
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal:"))
    wrk = loads.wrk_path()
    wrk_version = (subprocess.run([wrk, "--version"], capture_output=True, text=True).stdout
                   .splitlines() or [""])[0] if wrk else None
    node = shutil.which("node")
    return {"nproc": os.cpu_count(), "cpu": cpu, "ram_gib": round(mem_kb / 1024 / 1024, 1),
            "os": platform.platform(), "python": platform.python_version(),
            "wrk": wrk_version,
            "node": subprocess.run([node, "--version"], capture_output=True, text=True)
            .stdout.strip() if node else None}


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--quick", action="store_true", help="short runs: proves the bench works")
    p.add_argument("--json", type=Path, metavar="PATH", help="write every figure here")
    p.add_argument("--workers", type=int, default=2, help="workers of the multi-worker row")
    p.add_argument("--only", type=parts, metavar="PART[,PART]",
                   help=f"run only these parts: {', '.join(PARTS)} (e.g. --only proxy)")
    p.add_argument("--no-install", action="store_true",
                   help="never run npm: without bench/.prism, the Prism row is skipped")
    args = p.parse_args(argv)
    results = run(args)
    results["command"] = " ".join([Path(sys.executable).name, "bench/run.py",
                                   *(argv if argv is not None else sys.argv[1:])])
    print()
    print(report(results))
    print("\n".join(redis_writes.report(results.get("redis_writes", {}))))  # issue 28 hook
    print(f"\n({results['elapsed_s']} s in all)")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
