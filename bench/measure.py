"""The bench's parts: each starts the servers it needs, drives them under the same load, and
keeps their figures in `Bench.results` (bench/run.py runs the parts in order)."""

from __future__ import annotations

import argparse
import dataclasses
import shutil
import statistics
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import load as loads
import plugin_setup
import redis_writes
import servers as srv
from goals import WORLD_SIZES
from load import DETAIL_PATH, GETS, LIST_PATH, REGISTER_PATH, SCENARIOS, STATIC
from report import fmt
from servers import COMPUTED, MEASURED, ONE_WORKER, PROXIED, REDIS_ONE
from stats import Results, added_in_turns, paired_figures

PLUGIN_TESTS = {"full": 200, "quick": 20}  # tests in the plugin's throwaway project
# Goals that compare two configurations of this machine are measured again in turns (A, B,
# A, B...), both servers up, so a spell of other load on the machine hits both alike: a
# configuration measured a minute apart from the other can differ by ±30 % from that alone.
# (the server, what it is compared with, the scenario); the check uses the median of the
# rounds' ratios (`stats.paired_figures`).
PAIRS = ((ONE_WORKER, COMPUTED, "mixed"), (COMPUTED, "ceiling", "list"),
         (COMPUTED, "ceiling", "detail"), (REDIS_ONE, ONE_WORKER, "list"),
         (REDIS_ONE, ONE_WORKER, "detail"))
ROUNDS_IN_TURNS = 5  # rounds of each server (1 in quick mode)
# The proxy, too, is judged in turns (direct, proxied, direct...): by the median over the
# rounds of each round's added p50. Its rounds are short, so the part takes about 20 s more
# than when it drove each side once: seconds per round under the load, and on one connection.
PROXY_ROUND_S = 2
PROXY_ROUND_ONE_CONNECTION_S = 1


@dataclasses.dataclass(frozen=True)
class Mode:
    """How long the parts drive: a full run, or a quick one that proves the bench works."""

    load: loads.Load
    warmup_s: float
    cold_starts: int


FULL = Mode(loads.Load(threads=1, connections=8, seconds=5), warmup_s=2.0, cold_starts=3)
QUICK = Mode(loads.Load(threads=1, connections=8, seconds=1), warmup_s=0, cold_starts=3)


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.quick = args.quick
        mode = QUICK if args.quick else FULL
        self.load = mode.load
        self.warmup_s = mode.warmup_s
        self.cold_starts = mode.cold_starts
        self.logs = Path(tempfile.mkdtemp(prefix="mock-bench-"))
        self.running: list[srv.Server] = []
        self.results: Results = {"mode": "quick" if args.quick else "full", MEASURED: {},
                                 "world_size": {}, "notes": []}
        self.use_wrk = loads.wrk_path() is not None

    # -- plumbing ---------------------------------------------------------------------------
    def note(self, text: str) -> None:
        print(f"  note: {text}", flush=True)
        self.results["notes"].append(text)

    def start(self, server: srv.Server, ready_path: str = LIST_PATH, timeout: float = 120) -> float:
        server.start(self.logs)
        self.running.append(server)
        return server.wait_ready(ready_path, timeout=timeout)

    def stop(self, server: srv.Server) -> None:
        server.stop()
        if server in self.running:
            self.running.remove(server)

    def stop_all(self) -> None:
        """Whatever still runs, latest first (a part that failed midway leaves servers up)."""
        for server in reversed(self.running):
            server.stop()
        self.running.clear()

    def drive(self, server: srv.Server, scenario: str, seconds: float | None = None,
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

    def check_answers(self, server: srv.Server, scenarios: tuple[str, ...]) -> str | None:
        """None if every scenario's request answers 2xx, else what it answered."""
        for scenario in scenarios:
            path, kind = SCENARIOS[scenario]
            calls = {"get": [("GET", path)], "writes": [("POST", path), ("DELETE", path)],
                     "mixed": list(loads.MIXED)}[kind]
            for method, path in calls:
                status, body = srv.request(server.port, method, server.base + path)
                if not 200 <= status < 300:
                    return (f"{scenario}: {method} {server.base}{path} answered {status}: "
                            f"{body[:300].decode(errors='replace')}")
        return None

    def measure(self, name: str, server: srv.Server,
                scenarios: tuple[str, ...] = tuple(SCENARIOS)) -> dict[str, Any]:
        """Checks the answers, warms up, reads RSS, then runs every scenario."""
        wrong = self.check_answers(server, scenarios)
        if wrong is not None:
            raise RuntimeError(f"{name} does not answer 2xx, so it is not loaded: {wrong}")
        if self.warmup_s:
            for scenario in scenarios:
                self.drive(server, scenario, seconds=self.warmup_s)
        figures: dict[str, Any] = {"status": "ok", "rss_mb": round(srv.rss_mb(server.pid), 1),
                         "scenarios": {}}
        for scenario in scenarios:
            result = self.drive(server, scenario)
            figures["scenarios"][scenario] = result.to_dict()
            print(f"  {name:<12} {scenario:<13} {result.rps:>9.1f} req/s  p50 {fmt(result.p50_ms)} ms"
                  f"  p99 {fmt(result.p99_ms)} ms", flush=True)
            if result.non_2xx or result.socket_errors:
                self.note(f"{name} {scenario}: {result.non_2xx} non-2xx answers, "
                          f"{result.socket_errors} socket errors")
        figures["rss_after_load_mb"] = round(srv.rss_mb(server.pid), 1)
        return figures

    def run_server(self, server: srv.Server, ready_path: str = LIST_PATH,
                   scenarios: tuple[str, ...] = tuple(SCENARIOS)) -> dict[str, Any]:
        """Start `server`, measure it and stop it; its figures, kept under its name."""
        cold = self.start(server, ready_path)
        figures = self.measure(server.name, server, scenarios)
        figures["cold_start_s"] = round(cold, 3)
        self.stop(server)
        self.results[MEASURED][server.name] = figures
        return figures

    def skip(self, name: str, reason: str) -> None:
        """A server that cannot run: fatal in full mode, a printed n/a in quick mode."""
        if not self.quick:
            raise SystemExit(f"bench: {name}: {reason}")
        print(f"  {name}: skipped ({reason})", flush=True)
        self.results[MEASURED][name] = {"status": "n/a", "reason": reason}

    # -- in turns ---------------------------------------------------------------------------
    @property
    def rounds_in_turns(self) -> int:
        return 1 if self.quick else ROUNDS_IN_TURNS

    def warm(self, servers: dict[str, srv.Server], scenario: str) -> None:
        if self.warmup_s:
            for server in servers.values():
                self.drive(server, scenario, seconds=self.warmup_s)

    def in_turns(self, servers: dict[str, srv.Server], scenario: str, seconds: float | None = None,
                 load: loads.Load | None = None) -> dict[str, list[loads.LoadResult]]:
        """Each server's results of `rounds_in_turns` drives of `scenario`, taking turns (A, B,
        A, B...): a spell of other load on the machine hits them alike."""
        rounds: dict[str, list[loads.LoadResult]] = {name: [] for name in servers}
        for _ in range(self.rounds_in_turns):
            for name, server in servers.items():
                rounds[name].append(self.drive(server, scenario, seconds=seconds, load=load))
        return rounds

    # -- the parts --------------------------------------------------------------------------
    def redis_writes(self) -> None:
        """Writes, their p99 and the mixed load on two workers sharing one Redis, against Prism
        and one process on memory, in turns (bench/redis_writes.py)."""
        self.results["redis_writes"] = redis_writes.measure(self)

    def ours_one_worker(self) -> None:
        print("ours, 1 worker", flush=True)
        colds = []
        for run in range(self.cold_starts):
            server = srv.ours(srv.free_port(), name=ONE_WORKER)
            colds.append(round(self.start(server), 3))
            if run < self.cold_starts - 1:
                self.stop(server)
        figures = self.measure(ONE_WORKER, server)
        figures["cold_start_s"] = statistics.median(colds)
        figures["cold_start_runs_s"] = colds
        self.results[MEASURED][ONE_WORKER] = figures
        # The ceiling answers with exactly these bytes.
        _, list_body = srv.get(server.port, server.base + LIST_PATH)
        _, detail_body = srv.get(server.port, server.base + DETAIL_PATH)
        (self.logs / "list.json").write_bytes(list_body)
        (self.logs / "detail.json").write_bytes(detail_body)
        figures["body_bytes"] = {"list": len(list_body), "detail": len(detail_body)}
        self.stop(server)

    def ours_computed(self) -> None:
        """One worker that computes every answer (`--no-response-cache`): what a request costs
        when it is not a repeat, e.g. a new caller, page or filter, or a changed world."""
        print("ours, 1 worker, every answer computed (--no-response-cache)", flush=True)
        self.run_server(srv.ours(srv.free_port(), cached=False, name=COMPUTED))

    def ours_workers(self) -> None:
        """One worker, then N, on a shared Redis store (a database each)."""
        names = {1: REDIS_ONE, self.args.workers: f"ours-{self.args.workers}"}
        print(f"ours, 1 and {self.args.workers} workers, shared Redis store", flush=True)
        redis_port = srv.free_port()
        redis = srv.redis(redis_port)
        if redis is None:
            for name in names.values():
                self.skip(name, "redis-server is not installed (make redis)")
            return
        redis.start(self.logs)
        self.running.append(redis)
        srv.wait_tcp(redis_port)
        for db, (workers, name) in enumerate(names.items()):
            self.run_server(srv.ours(srv.free_port(), workers=workers,
                                   store=f"redis://127.0.0.1:{redis_port}/{db}", name=name))
        self.stop(redis)

    def prism(self) -> None:
        print("Prism 5", flush=True)
        if shutil.which("node") is None:
            self.skip("prism", "node is not installed")
            return
        if self.args.no_install and not srv.PRISM_BIN.exists():
            self.skip("prism", f"{srv.PRISM_PACKAGE} is not installed and --no-install was given")
            return
        why = srv.install_prism()
        if why is not None:
            self.skip("prism", why)
            return
        figures = self.run_server(srv.prism(srv.free_port()), ready_path=DETAIL_PATH)
        figures["version"] = subprocess.run([str(srv.PRISM_BIN), "--version"], capture_output=True,
                                            text=True).stdout.strip()

    def installed(self, name: str, tool: srv.NpmTool, needs: str = "node") -> bool:
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
        print(f"Mockoon CLI ({srv.MOCKOON.package}), serving openapi.yaml", flush=True)
        if self.installed("mockoon", srv.MOCKOON):
            self.run_server(srv.mockoon(srv.free_port()), ready_path=DETAIL_PATH)

    def wiremock(self) -> None:
        """A static reference: WireMock stubs holding our exact bytes (no mixed load)."""
        print(f"WireMock ({srv.WIREMOCK.package}), stubs holding our bytes", flush=True)
        if not self.installed("wiremock", srv.WIREMOCK) or not self.installed(
                "wiremock", srv.WIREMOCK, needs="java"):
            return
        base = "/rest"
        stubs = {("GET", base + LIST_PATH.split("?")[0]): (self.logs / "list.json").read_bytes(),
                 ("GET", base + DETAIL_PATH): (self.logs / "detail.json").read_bytes(),
                 ("POST", base + REGISTER_PATH): b"", ("DELETE", base + REGISTER_PATH): b""}
        self.run_server(srv.wiremock(srv.free_port(), self.logs / "wiremock", stubs),
                        ready_path=DETAIL_PATH, scenarios=STATIC)

    def ceiling(self) -> None:
        print("ceiling: bare Starlette, fixed bodies of our size", flush=True)
        self.run_server(srv.ceiling(srv.free_port(), self.logs / "list.json",
                                  self.logs / "detail.json"), scenarios=STATIC)

    def world_sizes(self) -> None:
        # Computed answers: a repeat from memory costs the same in any world, which proves
        # nothing about the listing itself.
        print("ours, 1 worker, every answer computed: list with 100 vs 10,000 sessions",
              flush=True)
        for size in WORLD_SIZES:
            server = srv.ours(srv.free_port(), sessions=size, cached=False,
                            name=f"ours-{size}-sessions")
            cold = self.start(server)
            if self.warmup_s:
                self.drive(server, "list", seconds=self.warmup_s)
            result = self.drive(server, "list")
            self.results["world_size"][str(size)] = {
                **result.to_dict(), "cold_start_s": round(cold, 3),
                "rss_mb": round(srv.rss_mb(server.pid), 1)}
            print(f"  {size:>6} sessions {result.rps:>9.1f} req/s  p50 {fmt(result.p50_ms)} ms"
                  f"  p99 {fmt(result.p99_ms)} ms  (started in {cold:.2f} s)", flush=True)
            self.stop(server)

    def proxy_overhead(self) -> None:
        """The validating proxy (--proxy) in front of one worker, against that worker called
        directly, in turns under the same load: what forwarding and judging each exchange adds."""
        print(f"ours as a validating proxy (--proxy) in front of ours-1, vs ours-1 directly, in "
              f"turns ({self.rounds_in_turns} rounds each)", flush=True)
        upstream = srv.ours(srv.free_port(), name="proxy-upstream")
        self.start(upstream)
        proxy = srv.ours(srv.free_port(), name=PROXIED,
                       proxy=f"http://127.0.0.1:{upstream.port}{upstream.base}")
        self.start(proxy)
        servers = {"direct": upstream, "proxied": proxy}
        figures: dict[str, Any] = {"status": "ok", "rounds_each": self.rounds_in_turns, "scenarios": {}}
        for scenario in GETS:
            self.warm(servers, scenario)
            used = srv.cpu_s(proxy.pid)
            loaded = self.in_turns(servers, scenario,
                                   seconds=min(PROXY_ROUND_S, self.load.seconds))
            # The proxy's CPU per exchange: what decides its throughput, so its p50 under this
            # load, and far less moved than p50 by whatever else runs on the machine. (It idles
            # during the direct rounds.)
            requests = sum(r.requests for r in loaded["proxied"])
            cpu_ms = (round((srv.cpu_s(proxy.pid) - used) * 1000 / requests, 3)
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
        self.stop(upstream)
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
        """The pairs of PAIRS, each pair measured in turns, ROUNDS_IN_TURNS rounds each."""
        print(f"paired, in turns ({self.rounds_in_turns} rounds each): ours-1, ours-1-nc, "
              "ceiling, ours-1-redis", flush=True)
        servers = {ONE_WORKER: srv.ours(srv.free_port(), name="paired-ours-1"),
                   COMPUTED: srv.ours(srv.free_port(), cached=False, name="paired-ours-1-nc"),
                   "ceiling": srv.ceiling(srv.free_port(), self.logs / "list.json",
                                        self.logs / "detail.json")}
        redis_port = srv.free_port()
        redis = srv.redis(redis_port)
        if redis is not None:  # else the Redis pairs are not measured (None: not judged)
            redis.start(self.logs)
            self.running.append(redis)
            srv.wait_tcp(redis_port)
            servers[REDIS_ONE] = srv.ours(srv.free_port(), store=f"redis://127.0.0.1:{redis_port}/0",
                                      name="paired-ours-1-redis")
        for server in servers.values():
            self.start(server)
        figures: dict[str, Any] = {}
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

