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
and whether each of our targets meets the issue's targets, met or missed, one line each.
`--quick` runs every part briefly to prove the bench works (figures only; it never judges a
speed by its exit code). Without wrk or npm, quick mode says so and makes do (Python load
generator, no Prism row); full mode fails.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import load as loads  # noqa: E402
import plugin_setup  # noqa: E402
import redis_writes  # noqa: E402  (issue 28's part: see the hooks marked "issue 28")
import targets as t  # noqa: E402

EVENT = "mock-event"
SESSION = 11001  # the open, unlimited session of the default world (cases.open_session)
LIST_PATH = f"/events/{EVENT}/session?page=0&size=10&expand=speaker,stats"
DETAIL_PATH = f"/events/{EVENT}/session/v2/{SESSION}"
REGISTER_PATH = f"/events/{EVENT}/session/{SESSION}/register"
SCENARIOS = {  # name -> (path, kind): GETs of one path, its POST/DELETE mix, or loads.MIXED
    "list": (LIST_PATH, "get"),
    "detail": (DETAIL_PATH, "get"),
    "register-mix": (REGISTER_PATH, "writes"),
    "mixed": ("", "mixed"),
}
GETS = ("list", "detail")
STATIC = ("list", "detail", "register-mix")  # what a server of fixed stubs can answer
COMPUTED = "ours-1-nc"  # one worker without the response cache
REFERENCES = ("prism", "mockoon", "wiremock", "ceiling")
REDIS_ONE = "ours-1-redis"  # one worker on the Redis store

# The issue's targets, for our mock with one worker.
TARGET_VS_PRISM = 2.0  # ≥ 2× Prism's req/s on every GET
TARGET_VS_CEILING = 0.40  # ≥ 40 % of the bare ceiling's req/s on every GET
TARGET_COLD_START_S = 1.0
TARGET_RSS_MB = 100.0
# Issue 17's targets.
TARGET_COMPUTED_P99_MS = 15.0  # computed list and detail (ours-1-nc), at 8 connections
TARGET_MIXED_VS_PRISM = 4.0  # ours-1 under the mixed load
TARGET_WRITES_VS_PRISM = 1.0  # ours-1, register/unregister mix
TARGET_REDIS_VS_MEMORY = 0.80  # ours-1-redis reads vs ours-1
WORLD_SIZES = (100, 10_000)
TARGET_WORLD_GROWTH = 1.25  # list p50 with 10,000 sessions ≤ 1.25× that with 100 (noise margin)
TARGET_PROXY_ADDED_MS = 2.0  # the validating proxy adds ≤ 2 ms at p50 over calling its target
PROXIED = "ours-proxy"
TARGET_PLUGIN_SETUP_MS = 20.0  # the pytest plugin's fresh mock: set-up per test (95th percentile)
PLUGIN = "pytest-plugin"
PLUGIN_TESTS = {"full": 200, "quick": 20}  # tests in the plugin's throwaway project

# The bench's parts in running order: `--only proxy` runs one of them (the figures of a part
# measured alone are comparable with that part's in a full run; checks of what is not run
# show as not measured).
PARTS = {"ours": "ours_one_worker", "computed": "ours_computed", "workers": "ours_workers",
         "prism": "prism", "mockoon": "mockoon", "wiremock": "wiremock", "ceiling": "ceiling",
         "world-size": "world_sizes", "proxy": "proxy_overhead", "paired": "paired",
         "plugin": "plugin_setup", redis_writes.PART: "redis_writes"}  # issue 28 hook
# They answer the bytes `ours` captures, so it runs too.
NEEDS_OUR_BYTES = {"wiremock", "ceiling", "paired"}
# Targets that compare two configurations of this machine are measured again in turns (A, B,
# A, B...), both servers up, so a spell of other load on the machine hits both alike: a
# configuration measured a minute apart from the other can differ by ±30 % from that alone.
# (the target, what it is compared with, the scenario); the check uses the median of the
# rounds' ratios (`paired_figures`).
PAIRS = (("ours-1", COMPUTED, "mixed"), (COMPUTED, "ceiling", "list"),
         (COMPUTED, "ceiling", "detail"), (REDIS_ONE, "ours-1", "list"),
         (REDIS_ONE, "ours-1", "detail"))
ROUNDS_IN_TURNS = 5  # rounds of each server (1 in quick mode)
# The proxy, too, is judged in turns (direct, proxied, direct...): by the median over the
# rounds of each round's added p50. Its rounds are short, so the part takes about 20 s more
# than when it drove each side once: seconds per round under the load, and on one connection.
PROXY_ROUND_S = 2
PROXY_ROUND_ONE_CONNECTION_S = 1

FULL = {"load": loads.Load(threads=1, connections=8, seconds=5), "warmup_s": 2.0,
        "cold_starts": 3}
QUICK = {"load": loads.Load(threads=1, connections=8, seconds=1), "warmup_s": 0,
         "cold_starts": 3}


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.quick = args.quick
        mode = QUICK if args.quick else FULL
        self.load: loads.Load = mode["load"]
        self.warmup_s: float = mode["warmup_s"]
        self.cold_starts: int = mode["cold_starts"]
        self.logs = Path(tempfile.mkdtemp(prefix="mock-bench-"))
        self.running: list[t.Server] = []
        self.results: dict = {"mode": "quick" if args.quick else "full", "targets": {},
                              "world_size": {}, "notes": []}
        self.use_wrk = loads.wrk_path() is not None

    # -- plumbing ---------------------------------------------------------------------------
    def note(self, text: str) -> None:
        print(f"  note: {text}", flush=True)
        self.results["notes"].append(text)

    def start(self, server: t.Server, ready_path: str = LIST_PATH, timeout: float = 120) -> float:
        server.start(self.logs)
        self.running.append(server)
        return server.wait_ready(ready_path, timeout=timeout)

    def stop(self, server: t.Server) -> None:
        server.stop()
        if server in self.running:
            self.running.remove(server)

    def drive(self, server: t.Server, scenario: str, seconds: float | None = None,
              load: loads.Load | None = None) -> loads.LoadResult:
        path, kind = SCENARIOS[scenario]
        url = f"http://127.0.0.1:{server.port}{server.base}{path}"
        load = load or self.load
        mixed = kind == "mixed"
        if self.use_wrk:
            return load.run(url, mix=kind == "writes", seconds=seconds,
                            script=loads.mixed_lua(server.base) if mixed else None)
        return loads.python_load(url, load, mix=kind == "writes", seconds=seconds,
                                 mixed_base=server.base if mixed else None)

    def check_answers(self, server: t.Server, scenarios: tuple[str, ...]) -> str | None:
        """None if every scenario's request answers 2xx, else what it answered."""
        for scenario in scenarios:
            path, kind = SCENARIOS[scenario]
            calls = {"get": [("GET", path)], "writes": [("POST", path), ("DELETE", path)],
                     "mixed": list(loads.MIXED)}[kind]
            for method, path in calls:
                status, body = t.request(server.port, method, server.base + path)
                if not 200 <= status < 300:
                    return (f"{scenario}: {method} {server.base}{path} answered {status}: "
                            f"{body[:300].decode(errors='replace')}")
        return None

    def measure(self, name: str, server: t.Server,
                scenarios: tuple[str, ...] = tuple(SCENARIOS)) -> dict:
        """Checks the answers, warms up, reads RSS, then runs every scenario."""
        wrong = self.check_answers(server, scenarios)
        if wrong is not None:
            raise RuntimeError(f"{name} does not answer 2xx, so it is not loaded: {wrong}")
        if self.warmup_s:
            for scenario in scenarios:
                self.drive(server, scenario, seconds=self.warmup_s)
        figures: dict = {"status": "ok", "rss_mb": round(t.rss_mb(server.pid), 1),
                         "scenarios": {}}
        for scenario in scenarios:
            result = self.drive(server, scenario)
            figures["scenarios"][scenario] = result.to_dict()
            print(f"  {name:<12} {scenario:<13} {result.rps:>9.1f} req/s  p50 {fmt(result.p50_ms)} ms"
                  f"  p99 {fmt(result.p99_ms)} ms", flush=True)
            if result.non_2xx or result.socket_errors:
                self.note(f"{name} {scenario}: {result.non_2xx} non-2xx answers, "
                          f"{result.socket_errors} socket errors")
        figures["rss_after_load_mb"] = round(t.rss_mb(server.pid), 1)
        return figures

    def run_target(self, server: t.Server, ready_path: str = LIST_PATH,
                   scenarios: tuple[str, ...] = tuple(SCENARIOS)) -> dict:
        """Start `server`, measure it and stop it; its figures, kept under its name."""
        cold = self.start(server, ready_path)
        figures = self.measure(server.name, server, scenarios)
        figures["cold_start_s"] = round(cold, 3)
        self.stop(server)
        self.results["targets"][server.name] = figures
        return figures

    def skip(self, name: str, reason: str) -> None:
        """A target that cannot run: fatal in full mode, a printed n/a in quick mode."""
        if not self.quick:
            raise SystemExit(f"bench: {name}: {reason}")
        print(f"  {name}: skipped ({reason})", flush=True)
        self.results["targets"][name] = {"status": "n/a", "reason": reason}

    # -- in turns ---------------------------------------------------------------------------
    @property
    def rounds_in_turns(self) -> int:
        return 1 if self.quick else ROUNDS_IN_TURNS

    def warm(self, servers: dict[str, t.Server], scenario: str) -> None:
        if self.warmup_s:
            for server in servers.values():
                self.drive(server, scenario, seconds=self.warmup_s)

    def in_turns(self, servers: dict[str, t.Server], scenario: str, seconds: float | None = None,
                 load: loads.Load | None = None) -> dict[str, list[loads.LoadResult]]:
        """Each server's results of `rounds_in_turns` drives of `scenario`, taking turns (A, B,
        A, B...): a spell of other load on the machine hits them alike."""
        rounds: dict[str, list[loads.LoadResult]] = {name: [] for name in servers}
        for _ in range(self.rounds_in_turns):
            for name, server in servers.items():
                rounds[name].append(self.drive(server, scenario, seconds=seconds, load=load))
        return rounds

    # -- the targets ------------------------------------------------------------------------
    def ours_one_worker(self) -> None:
        print("ours, 1 worker", flush=True)
        colds = []
        for run in range(self.cold_starts):
            server = t.ours(t.free_port(), name="ours-1")
            colds.append(round(self.start(server), 3))
            if run < self.cold_starts - 1:
                self.stop(server)
        figures = self.measure("ours-1", server)
        figures["cold_start_s"] = statistics.median(colds)
        figures["cold_start_runs_s"] = colds
        self.results["targets"]["ours-1"] = figures
        # The ceiling answers with exactly these bytes.
        _, list_body = t.get(server.port, server.base + LIST_PATH)
        _, detail_body = t.get(server.port, server.base + DETAIL_PATH)
        (self.logs / "list.json").write_bytes(list_body)
        (self.logs / "detail.json").write_bytes(detail_body)
        figures["body_bytes"] = {"list": len(list_body), "detail": len(detail_body)}
        self.stop(server)

    def ours_computed(self) -> None:
        """One worker that computes every answer (`--no-response-cache`): what a request costs
        when it is not a repeat, e.g. a new caller, page or filter, or a changed world."""
        print("ours, 1 worker, every answer computed (--no-response-cache)", flush=True)
        self.run_target(t.ours(t.free_port(), cached=False, name=COMPUTED))

    def ours_workers(self) -> None:
        """One worker, then N, on a shared Redis store (a database each)."""
        names = {1: REDIS_ONE, self.args.workers: f"ours-{self.args.workers}"}
        print(f"ours, 1 and {self.args.workers} workers, shared Redis store", flush=True)
        redis_port = t.free_port()
        redis = t.redis(redis_port)
        if redis is None:
            for name in names.values():
                self.skip(name, "redis-server is not installed (make redis)")
            return
        redis.start(self.logs)
        self.running.append(redis)
        t.wait_tcp(redis_port)
        for db, (workers, name) in enumerate(names.items()):
            self.run_target(t.ours(t.free_port(), workers=workers,
                                   store=f"redis://127.0.0.1:{redis_port}/{db}", name=name))
        self.stop(redis)

    def prism(self) -> None:
        print("Prism 5", flush=True)
        if shutil.which("node") is None:
            self.skip("prism", "node is not installed")
            return
        if self.args.no_install and not t.PRISM_BIN.exists():
            self.skip("prism", f"{t.PRISM_PACKAGE} is not installed and --no-install was given")
            return
        why = t.install_prism()
        if why is not None:
            self.skip("prism", why)
            return
        figures = self.run_target(t.prism(t.free_port()), ready_path=DETAIL_PATH)
        figures["version"] = subprocess.run([str(t.PRISM_BIN), "--version"], capture_output=True,
                                            text=True).stdout.strip()

    def installed(self, name: str, tool: t.NpmTool, needs: str = "node") -> bool:
        """Whether `tool` is ready (installing it on first use); else its row is skipped."""
        if shutil.which(needs) is None:
            self.skip(name, f"{needs} is not installed")
            return False
        if self.args.no_install and not tool.bin.exists():
            self.skip(name, f"{tool.package} is not installed and --no-install was given")
            return False
        why = tool.install()
        if why is not None:
            self.skip(name, why)
        return why is None

    def mockoon(self) -> None:
        print(f"Mockoon CLI ({t.MOCKOON.package}), serving openapi.yaml", flush=True)
        if self.installed("mockoon", t.MOCKOON):
            self.run_target(t.mockoon(t.free_port()), ready_path=DETAIL_PATH)

    def wiremock(self) -> None:
        """A static reference: WireMock stubs holding our exact bytes (no mixed load)."""
        print(f"WireMock ({t.WIREMOCK.package}), stubs holding our bytes", flush=True)
        if not self.installed("wiremock", t.WIREMOCK) or not self.installed(
                "wiremock", t.WIREMOCK, needs="java"):
            return
        base = "/rest"
        stubs = {("GET", base + LIST_PATH.split("?")[0]): (self.logs / "list.json").read_bytes(),
                 ("GET", base + DETAIL_PATH): (self.logs / "detail.json").read_bytes(),
                 ("POST", base + REGISTER_PATH): b"", ("DELETE", base + REGISTER_PATH): b""}
        self.run_target(t.wiremock(t.free_port(), self.logs / "wiremock", stubs),
                        ready_path=DETAIL_PATH, scenarios=STATIC)

    def ceiling(self) -> None:
        print("ceiling: bare Starlette, fixed bodies of our size", flush=True)
        self.run_target(t.ceiling(t.free_port(), self.logs / "list.json",
                                  self.logs / "detail.json"), scenarios=STATIC)

    def world_sizes(self) -> None:
        # Computed answers: a repeat from memory costs the same in any world, which proves
        # nothing about the listing itself.
        print("ours, 1 worker, every answer computed: list with 100 vs 10,000 sessions",
              flush=True)
        for size in WORLD_SIZES:
            server = t.ours(t.free_port(), sessions=size, cached=False,
                            name=f"ours-{size}-sessions")
            cold = self.start(server)
            if self.warmup_s:
                self.drive(server, "list", seconds=self.warmup_s)
            result = self.drive(server, "list")
            self.results["world_size"][str(size)] = {
                **result.to_dict(), "cold_start_s": round(cold, 3),
                "rss_mb": round(t.rss_mb(server.pid), 1)}
            print(f"  {size:>6} sessions {result.rps:>9.1f} req/s  p50 {fmt(result.p50_ms)} ms"
                  f"  p99 {fmt(result.p99_ms)} ms  (started in {cold:.2f} s)", flush=True)
            self.stop(server)

    def proxy_overhead(self) -> None:
        """The validating proxy (--proxy) in front of one worker, against that worker called
        directly, in turns under the same load: what forwarding and judging each exchange adds."""
        print(f"ours as a validating proxy (--proxy) in front of ours-1, vs ours-1 directly, in "
              f"turns ({self.rounds_in_turns} rounds each)", flush=True)
        target = t.ours(t.free_port(), name="proxy-target")
        self.start(target)
        proxy = t.ours(t.free_port(), name=PROXIED,
                       proxy=f"http://127.0.0.1:{target.port}{target.base}")
        self.start(proxy)
        servers = {"direct": target, "proxied": proxy}
        figures: dict = {"status": "ok", "rounds_each": self.rounds_in_turns, "scenarios": {}}
        for scenario in GETS:
            self.warm(servers, scenario)
            used = t.cpu_s(proxy.pid)
            loaded = self.in_turns(servers, scenario,
                                   seconds=min(PROXY_ROUND_S, self.load.seconds))
            # The proxy's CPU per exchange: what decides its throughput, so its p50 under this
            # load, and far less moved than p50 by whatever else runs on the machine. (It idles
            # during the direct rounds.)
            requests = sum(r.requests for r in loaded["proxied"])
            cpu_ms = (round((t.cpu_s(proxy.pid) - used) * 1000 / requests, 3)
                      if requests else None)
            # One connection, back to back: the latency one exchange adds, apart from the
            # throughput that decides p50 when the load keeps every connection busy.
            alone = self.in_turns(servers, scenario, seconds=PROXY_ROUND_ONE_CONNECTION_S,
                                  load=dataclasses.replace(self.load, connections=1))
            f = {**added_in_turns(loaded), "proxy_cpu_ms": cpu_ms,
                 "one_connection": added_in_turns(alone)}
            figures["scenarios"][scenario] = f
            print(f"  {scenario:<13} p50 added per round "
                  f"{' '.join(f'+{fmt(a)}' for a in f['added_p50_rounds_ms'])} ms: median "
                  f"+{fmt(f['added_p50_ms'])} ms (direct p50 {fmt(f['direct']['p50_ms'])} ms, "
                  f"through the proxy {fmt(f['proxied']['p50_ms'])} ms, "
                  f"{f['proxied']['rps']:.1f} req/s); on one connection "
                  f"+{fmt(f['one_connection']['added_p50_ms'])} ms; the proxy's CPU per "
                  f"exchange {fmt(cpu_ms, 3)} ms", flush=True)
            proxied = f["proxied"]
            if proxied["non_2xx"] or proxied["socket_errors"]:
                self.note(f"{PROXIED} {scenario}: {proxied['non_2xx']} non-2xx answers, "
                          f"{proxied['socket_errors']} socket errors")
        self.stop(proxy)
        self.stop(target)
        self.results["proxy"] = figures

    def plugin_setup(self) -> None:
        """The pytest plugin's fresh mock per test (`accelevents_mock`): each test's set-up in
        a project of its own (bench/plugin_setup.py)."""
        tests = PLUGIN_TESTS[self.results["mode"]]
        print(f"the pytest plugin: set-up of a fresh mock per test, {tests} tests", flush=True)
        figures = plugin_setup.measure(tests)
        print(f"  set-up per test: median {fmt(figures['median_ms'])} ms, 95th percentile "
              f"{fmt(figures['p95_ms'])} ms, max {fmt(figures['max_ms'])} ms (the first test, "
              f"which builds the mock: {fmt(figures['first_ms'])} ms); a test's two requests "
              f"{fmt(figures['call_median_ms'])} ms", flush=True)
        self.results["plugin"] = figures

    def paired(self) -> None:
        """The targets of PAIRS, each pair measured in turns, ROUNDS_IN_TURNS rounds each."""
        print(f"paired, in turns ({self.rounds_in_turns} rounds each): ours-1, ours-1-nc, "
              "ceiling, ours-1-redis", flush=True)
        servers = {"ours-1": t.ours(t.free_port(), name="paired-ours-1"),
                   COMPUTED: t.ours(t.free_port(), cached=False, name="paired-ours-1-nc"),
                   "ceiling": t.ceiling(t.free_port(), self.logs / "list.json",
                                        self.logs / "detail.json")}
        redis_port = t.free_port()
        redis = t.redis(redis_port)
        if redis is not None:  # else the Redis pairs are not measured (None: not judged)
            redis.start(self.logs)
            self.running.append(redis)
            t.wait_tcp(redis_port)
            servers[REDIS_ONE] = t.ours(t.free_port(), store=f"redis://127.0.0.1:{redis_port}/0",
                                      name="paired-ours-1-redis")
        for server in servers.values():
            self.start(server)
        figures: dict = {}
        for first, second, scenario in PAIRS:
            if first not in servers:
                continue
            pair = {name: servers[name] for name in (first, second)}
            self.warm(pair, scenario)
            rounds = {name: [round(r.rps, 1) for r in results]
                      for name, results in self.in_turns(pair, scenario).items()}
            key = f"{first}/{second} {scenario}"
            figures[key] = paired_figures(rounds, first, second)
            print(f"  {key:<28} {' '.join(map(str, rounds[first]))} vs "
                  f"{' '.join(map(str, rounds[second]))} req/s: median of the rounds' ratios "
                  f"{fmt(figures[key]['ratio'])} (ratio of medians "
                  f"{fmt(figures[key]['ratio_of_medians'])})", flush=True)
        for server in [*servers.values(), *([redis] if redis is not None else [])]:
            self.stop(server)
        self.results["paired"] = figures

    def redis_writes(self) -> None:  # issue 28 hook: the part lives in bench/redis_writes.py
        self.results["redis_writes"] = redis_writes.measure(self)

    # -- the run ----------------------------------------------------------------------------
    def run(self) -> dict:
        started = time.perf_counter()
        self.results["machine"] = machine()
        if not self.use_wrk:
            if not self.quick:
                raise SystemExit("bench: wrk is not installed (make wrk)")
            self.note("wrk is not installed: the load comes from bench/load.py's Python "
                      "generator instead (quick mode only)")
        self.results["load"] = {"tool": "wrk" if self.use_wrk else "python",
                                "threads": self.load.threads,
                                "connections": self.load.connections,
                                "seconds": self.load.seconds, "warmup_s": self.warmup_s}
        print(f"load: {self.results['load']}; logs in {self.logs}", flush=True)
        try:
            for part in self.args.only or PARTS:
                getattr(self, PARTS[part])()
        finally:
            for server in reversed(self.running):
                server.stop()
        add_ratios(self.results)
        self.results["checks"] = checks(self.results)
        self.results["elapsed_s"] = round(time.perf_counter() - started, 1)
        return self.results


def paired_figures(rounds: dict[str, list[float]], first: str, second: str) -> dict:
    """Two servers' req/s measured in turns: judged by the median over the rounds of each
    round's ratio (`first`'s req/s over `second`'s just after it), as the proxy is judged by
    each round's difference. A round's two drives share a spell of the machine, which swings
    ±50 % from one round to the next; the medians of each side alone lose that pairing."""
    per_round = [round(a / b, 3) for a, b in zip(rounds[first], rounds[second], strict=True) if b]
    medians = {name: statistics.median(rps) for name, rps in rounds.items()}
    return {"rounds": rounds, "median_rps": medians, "round_ratios": per_round,
            "ratio": round(statistics.median(per_round), 2) if per_round else None,
            "ratio_of_medians": ratio(medians[first], medians[second])}


def added_ms(direct: loads.LoadResult, proxied: loads.LoadResult) -> float | None:
    if direct.p50_ms is None or proxied.p50_ms is None:
        return None
    return round(proxied.p50_ms - direct.p50_ms, 3)


def added_in_turns(rounds: dict[str, list[loads.LoadResult]]) -> dict:
    """The direct and proxied rounds of one scenario: each side summed up over its rounds, and
    what the proxy added at p50, per round (against the direct round just before it) and the
    median of those, which the target is judged on."""
    added = [added_ms(direct, proxied)
             for direct, proxied in zip(rounds["direct"], rounds["proxied"], strict=True)]
    return {"direct": loads.LoadResult.median_of(rounds["direct"]).to_dict(),
            "proxied": loads.LoadResult.median_of(rounds["proxied"]).to_dict(),
            "rounds": {side: [r.to_dict() for r in results] for side, results in rounds.items()},
            "added_p50_rounds_ms": added, "added_p50_ms": loads.median(added)}


def fmt(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def machine() -> dict:
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


def ours_names(results: dict) -> list[str]:
    return [n for n in results["targets"] if n.startswith("ours-")]


def ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 2) if a and b else None


def add_ratios(results: dict) -> None:
    targets = results["targets"]
    prism, ceiling = targets.get("prism", {}), targets.get("ceiling", {})
    for name in ours_names(results):
        for scenario, figures in targets[name].get("scenarios", {}).items():
            other = prism.get("scenarios", {}).get(scenario, {})
            top = ceiling.get("scenarios", {}).get(scenario, {})
            figures["vs_prism"] = ratio(figures["rps"], other.get("rps"))
            figures["vs_ceiling"] = ratio(figures["rps"], top.get("rps"))


def checks(results: dict) -> dict:
    """Per target of ours: each of the issue's targets, met (True), missed (False) or not
    measured (None)."""
    targets = results["targets"]
    prism = targets.get("prism", {}).get("scenarios", {})
    found: dict = {}
    for name in ours_names(results):
        figures = targets[name]
        if figures.get("status") != "ok":
            continue
        rows = [{"what": "every answer 2xx, no socket errors",
                 "value": sum(f["non_2xx"] + f["socket_errors"]
                              for f in figures["scenarios"].values()),
                 "limit": 0, "ok": all(f["non_2xx"] == 0 and f["socket_errors"] == 0
                                       for f in figures["scenarios"].values())}]
        for scenario in GETS:
            mine = figures["scenarios"][scenario]
            theirs = prism.get(scenario, {})
            rows.append({"what": f"{scenario}: req/s ≥ {TARGET_VS_PRISM:g}× Prism",
                         "value": mine["vs_prism"], "limit": TARGET_VS_PRISM,
                         "ok": None if mine["vs_prism"] is None
                         else mine["vs_prism"] >= TARGET_VS_PRISM})
            p99, their_p99 = mine["p99_ms"], theirs.get("p99_ms")
            rows.append({"what": f"{scenario}: p99 ≤ Prism's", "value": p99, "limit": their_p99,
                         "ok": None if p99 is None or their_p99 is None else p99 <= their_p99})
            in_turns = paired_ratio(results, name, "ceiling", scenario)
            rows.append(_at_least(
                f"{scenario}: req/s ≥ {TARGET_VS_CEILING:.0%} of the ceiling"
                + (" (in turns)" if in_turns is not None else ""),
                mine["vs_ceiling"] if in_turns is None else in_turns, TARGET_VS_CEILING))
        if name == "ours-1":
            cold, rss = figures["cold_start_s"], figures["rss_mb"]
            rows.append({"what": f"cold start ≤ {TARGET_COLD_START_S:g} s", "value": cold,
                         "limit": TARGET_COLD_START_S, "ok": cold <= TARGET_COLD_START_S})
            rows.append({"what": f"RSS after warm-up ≤ {TARGET_RSS_MB:g} MB", "value": rss,
                         "limit": TARGET_RSS_MB, "ok": rss <= TARGET_RSS_MB})
            sizes = results["world_size"]
            small, big = (sizes.get(str(n), {}).get("p50_ms") for n in WORLD_SIZES)
            growth = ratio(big, small)
            rows.append({"what": f"computed list p50, {WORLD_SIZES[1]:,} vs {WORLD_SIZES[0]} "
                                 f"sessions "
                                 f"≤ {TARGET_WORLD_GROWTH:g}×",
                         "value": growth, "limit": TARGET_WORLD_GROWTH,
                         "ok": None if growth is None else growth <= TARGET_WORLD_GROWTH})
        rows += issue17_checks(name, results)
        found[name] = rows
    if results.get("redis_writes", {}).get("checks"):  # issue 28 hook
        found[redis_writes.REDIS_N] = results["redis_writes"]["checks"]
    proxy = results.get("proxy", {}).get("scenarios", {})
    if proxy:
        found[PROXIED] = [{"what": f"{scenario}: proxying adds ≤ {TARGET_PROXY_ADDED_MS:g} ms at p50 "
                                   "over calling the target directly (in turns)",
                           "value": f["added_p50_ms"], "limit": TARGET_PROXY_ADDED_MS,
                           "ok": None if f["added_p50_ms"] is None
                           else f["added_p50_ms"] <= TARGET_PROXY_ADDED_MS}
                          for scenario, f in proxy.items()]
    plugin = results.get("plugin")
    if plugin:
        found[PLUGIN] = [{"what": f"set-up of a fresh mock per test ≤ {TARGET_PLUGIN_SETUP_MS:g} ms "
                                  f"(95th percentile of {plugin['tests'] - 1} tests after the first)",
                          "value": plugin["p95_ms"], "limit": TARGET_PLUGIN_SETUP_MS,
                          "ok": plugin["p95_ms"] <= TARGET_PLUGIN_SETUP_MS}]
    return found


def paired_ratio(results: dict, target: str, other: str, scenario: str) -> float | None:
    """`target`'s req/s over `other`'s as measured in turns (the `paired` part), if it ran."""
    return results.get("paired", {}).get(f"{target}/{other} {scenario}", {}).get("ratio")


def _at_least(what: str, value: float | None, limit: float) -> dict:
    return {"what": what, "value": value, "limit": limit,
            "ok": None if value is None else value >= limit}


def issue17_checks(name: str, results: dict) -> list[dict]:
    """Issue 17's targets: computed answers, the mixed load, writes, the Redis store."""
    targets = results["targets"]

    def rps(target: str, scenario: str) -> float | None:
        return targets.get(target, {}).get("scenarios", {}).get(scenario, {}).get("rps")

    rows = []
    if name == COMPUTED:
        for scenario in GETS:
            p99 = targets[name]["scenarios"][scenario]["p99_ms"]
            rows.append({"what": f"{scenario} computed: p99 ≤ {TARGET_COMPUTED_P99_MS:g} ms",
                         "value": p99, "limit": TARGET_COMPUTED_P99_MS,
                         "ok": None if p99 is None else p99 <= TARGET_COMPUTED_P99_MS})
    if name == "ours-1":
        rows.append(_at_least(f"mixed: req/s ≥ {TARGET_MIXED_VS_PRISM:g}× Prism",
                              ratio(rps(name, "mixed"), rps("prism", "mixed")),
                              TARGET_MIXED_VS_PRISM))
        in_turns = paired_ratio(results, name, COMPUTED, "mixed")
        rows.append(_at_least("mixed: default ≥ --no-response-cache (ratio ≥ 1)"
                              + (" (in turns)" if in_turns is not None else ""),
                              ratio(rps(name, "mixed"), rps(COMPUTED, "mixed"))
                              if in_turns is None else in_turns, 1.0))
        rows.append(_at_least(f"register-mix: req/s ≥ {TARGET_WRITES_VS_PRISM:g}× Prism",
                              ratio(rps(name, "register-mix"), rps("prism", "register-mix")),
                              TARGET_WRITES_VS_PRISM))
    if name == REDIS_ONE:
        for scenario in GETS:
            in_turns = paired_ratio(results, name, "ours-1", scenario)
            rows.append(_at_least(
                f"{scenario}: Redis store ≥ {TARGET_REDIS_VS_MEMORY:.0%} of in-memory (ours-1)"
                + (" (in turns)" if in_turns is not None else ""),
                ratio(rps(name, scenario), rps("ours-1", scenario))
                if in_turns is None else in_turns, TARGET_REDIS_VS_MEMORY))
    return rows


def report(results: dict) -> str:
    lines = []
    header = (f"{'target':<12} {'scenario':<13} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} "
              f"{'ours/Prism':>10} {'ours/ceiling':>12}")
    lines += [header, "-" * len(header)]
    for name, figures in results["targets"].items():
        if figures.get("status") != "ok":
            lines.append(f"{name:<12} {'all':<13} n/a ({figures.get('reason')})")
            continue
        for scenario, f in figures["scenarios"].items():
            lines.append(f"{name:<12} {scenario:<13} {f['rps']:>9.1f} {fmt(f['p50_ms']):>8} "
                         f"{fmt(f['p99_ms']):>8} {fmt(f.get('vs_prism')):>10} "
                         f"{fmt(f.get('vs_ceiling')):>12}")
    lines.append("")
    for name, figures in results["targets"].items():
        if figures.get("status") == "ok":
            runs = figures.get("cold_start_runs_s")
            median = f" (median of {len(runs)})" if runs else ""
            lines.append(f"{name:<10} cold start {fmt(figures.get('cold_start_s'))} s{median}"
                         f", RSS after warm-up {figures['rss_mb']:.1f} MB"
                         f" ({figures['rss_after_load_mb']:.1f} MB after the load)")
    for size, f in results["world_size"].items():
        lines.append(f"ours-1-nc, {int(size):>6,} sessions: list {f['rps']:.1f} req/s, "
                     f"p50 {fmt(f['p50_ms'])} ms, p99 {fmt(f['p99_ms'])} ms")
    for scenario, f in results.get("proxy", {}).get("scenarios", {}).items():
        lines.append(f"{PROXIED:<10} {scenario:<13} {f['proxied']['rps']:>9.1f} "
                     f"{fmt(f['proxied']['p50_ms']):>8} {fmt(f['proxied']['p99_ms']):>8}   "
                     f"p50 +{fmt(f['added_p50_ms'])} ms over the target directly "
                     f"({fmt(f['direct']['p50_ms'])} ms; the median over rounds in turns, "
                     f"{len(f['added_p50_rounds_ms'])} each); one connection: "
                     f"+{fmt(f['one_connection']['added_p50_ms'])} ms; "
                     f"proxy CPU {fmt(f.get('proxy_cpu_ms'), 3)} ms per exchange")
    plugin = results.get("plugin")
    if plugin:
        lines.append(f"{PLUGIN:<10} set-up per test: median {fmt(plugin['median_ms'])} ms, "
                     f"p95 {fmt(plugin['p95_ms'])} ms, max {fmt(plugin['max_ms'])} ms "
                     f"({plugin['tests']} tests; the first {fmt(plugin['first_ms'])} ms)")
    lines += redis_writes.report(results.get("redis_writes", {}))  # issue 28 hook
    lines.append("")
    for name, rows in results["checks"].items():
        missed = [r["what"] for r in rows if r["ok"] is False]
        unknown = [r["what"] for r in rows if r["ok"] is None]
        verdict = "meets the targets" if not missed and not unknown else (
            f"misses {len(missed)} of {len(rows)}: " + "; ".join(missed) if missed
            else "not all measured")
        if unknown:
            verdict += f" (not measured: {'; '.join(unknown)})"
        lines.append(f"{name}: {verdict}")
        for row in rows:
            mark = {True: "met", False: "MISSED", None: "not measured"}[row["ok"]]
            lines.append(f"    {mark:<12} {row['what']}: {fmt(row['value'])}"
                         f" (limit {fmt(row['limit'])})")
    for name in results["targets"]:
        if name in REFERENCES:
            lines.append(f"{name}: reference")
    return "\n".join(lines)


def parts(text: str) -> list[str]:
    chosen = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in chosen if name not in PARTS]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(f"unknown part(s) {', '.join(unknown) or text!r}; "
                                         f"choose from {', '.join(PARTS)}")
    if NEEDS_OUR_BYTES & set(chosen):
        chosen.append("ours")
    return [name for name in PARTS if name in chosen]  # in running order, each once


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
    results = Bench(args).run()
    results["command"] = " ".join([Path(sys.executable).name, "bench/run.py",
                                   *(argv if argv is not None else sys.argv[1:])])
    print()
    print(report(results))
    print(f"\n({results['elapsed_s']} s in all)")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
