"""`bench/run.py --quick` still works: it produces every figure for our mock. It never judges a
speed (this machine may be busy with other tests), and it needs no network: without Prism
already in bench/.prism or without wrk, those rows are skipped or replaced."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def test_quick_bench_produces_figures_for_our_mock(tmp_path):
    out = tmp_path / "bench.json"
    done = subprocess.run([sys.executable, "bench/run.py", "--quick", "--no-install",
                           "--json", str(out)], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "ours/Prism" in done.stdout and "ours/ceiling" in done.stdout

    results = json.loads(out.read_text())
    # ours-2: two workers on one Redis store (`make test` installs redis-server).
    for name in ("ours-1", "ours-1-nc", "ours-2"):
        assert results["targets"][name]["status"] == "ok"
        for scenario in ("list", "detail", "register-mix", "mixed"):
            figures = results["targets"][name]["scenarios"][scenario]
            assert figures["rps"] > 0 and figures["requests"] > 0
            assert figures["p50_ms"] is not None and figures["p99_ms"] is not None
            # Every answer whole and 2xx: the figures are of working answers. (Too short to
            # catch a header that grows per hit: tests/test_response_cache.py guards that.)
            assert figures["non_2xx"] == 0 and figures["socket_errors"] == 0
    ours = results["targets"]["ours-1"]
    assert ours["cold_start_s"] > 0 and len(ours["cold_start_runs_s"]) == 3
    assert ours["rss_mb"] > 0
    for size in ("100", "10000"):
        assert results["world_size"][size]["rps"] > 0
    assert results["targets"]["ceiling"]["status"] == "ok"
    assert "ours-1" in results["checks"]
    assert results["targets"]["ours-2"]["cold_start_s"] > 0
    # The validating proxy in front of ours-1, against ours-1 directly (issue 18).
    for scenario in ("list", "detail"):
        figures = results["proxy"]["scenarios"][scenario]
        for run in (figures, figures["one_connection"]):
            assert run["proxied"]["requests"] > 0 and run["proxied"]["non_2xx"] == 0
            assert run["added_p50_ms"] is not None
        assert figures["proxy_cpu_ms"] > 0  # the proxy process's CPU per exchange
        # Measured in turns: one added p50 per round (direct, then proxied).
        assert len(figures["rounds"]["direct"]) == len(figures["rounds"]["proxied"]) == \
            len(figures["added_p50_rounds_ms"]) == results["proxy"]["rounds_each"]
    assert [row["value"] for row in results["checks"]["ours-proxy"]] == \
        [results["proxy"]["scenarios"][s]["added_p50_ms"] for s in ("list", "detail")]
    # The targets comparing two configurations, measured in turns, are judged by those turns.
    paired = results["paired"]["ours-1-nc/ceiling list"]
    assert paired["rounds"]["ours-1-nc"] and paired["rounds"]["ceiling"]
    judged = {row["what"]: row["value"] for row in results["checks"]["ours-1-nc"]}
    assert judged["list: req/s ≥ 40% of the ceiling (in turns)"] == paired["ratio"]
    mixed = {row["what"]: row["value"] for row in results["checks"]["ours-1"]}
    assert mixed["mixed: default ≥ --no-response-cache (ratio ≥ 1) (in turns)"] == \
        results["paired"]["ours-1/ours-1-nc mixed"]["ratio"]
    redis = {row["what"]: row["value"] for row in results["checks"]["ours-1-redis"]}
    assert redis["detail: Redis store ≥ 80% of in-memory (ours-1) (in turns)"] == \
        results["paired"]["ours-1-redis/ours-1 detail"]["ratio"]
    # The pytest plugin's fresh mock per test (issue 17), in a project of its own.
    plugin = results["plugin"]
    assert plugin["tests"] == 20 and 0 < plugin["median_ms"] <= plugin["p95_ms"] <= plugin["max_ms"]
    assert [row["value"] for row in results["checks"]["pytest-plugin"]] == [plugin["p95_ms"]]
    # The npm references (not installed: --no-install) are measured or say why not; they never
    # crash the bench.
    assert results["targets"]["ours-1-redis"]["status"] == "ok"  # Redis is installed by make test
    for name in ("prism", "mockoon", "wiremock"):
        row = results["targets"][name]
        assert row["status"] == "ok" or row["reason"]
    # Every target of ours gets a verdict line per check.
    assert "mixed: default ≥ --no-response-cache" in done.stdout


def bench_module(name: str) -> Any:
    """bench/NAME.py, imported as the bench's scripts import each other (bench/ on the path)."""
    if str(ROOT / "bench") not in sys.path:
        sys.path.insert(0, str(ROOT / "bench"))
    return importlib.import_module(name)


def test_the_proxy_is_judged_by_the_median_of_what_each_round_added() -> None:
    """Not by the difference of the medians: a round's proxied p50 is set against the direct
    p50 measured just before it, under the same spell of the machine."""
    loads, stats, goals, servers = (bench_module(name)
                                    for name in ("load", "stats", "goals", "servers"))

    def rounds(*p50s: float) -> list:
        return [loads.LoadResult(requests=100, seconds=2.0, rps=50.0, p50_ms=p50,
                                 p99_ms=p50 * 2, non_2xx=0, socket_errors=0)
                for p50 in p50s]

    figures = stats.added_in_turns({"direct": rounds(1.0, 3.0, 1.0),
                                    "proxied": rounds(2.0, 3.5, 2.5)})
    assert figures["added_p50_rounds_ms"] == [1.0, 0.5, 1.5]
    assert figures["added_p50_ms"] == 1.0  # the medians' difference would be 2.5 - 1.0 = 1.5
    assert figures["direct"]["p50_ms"] == 1.0 and figures["proxied"]["requests"] == 300
    check = goals.checks({"targets": {}, "world_size": {},
                          "proxy": {"scenarios": {"list": figures}}})[servers.PROXIED][0]
    assert check["value"] == 1.0 and check["ok"] is True


def test_a_pair_in_turns_is_judged_by_the_median_of_its_rounds_ratios() -> None:
    """Each round's two drives share a spell of the machine: the pair is judged by the median
    of the rounds' ratios, not by the ratio of each side's median."""
    stats = bench_module("stats")
    figures = stats.paired_figures({"a": [100.0, 40.0, 90.0], "b": [80.0, 50.0, 100.0]}, "a", "b")
    assert figures["round_ratios"] == [1.25, 0.8, 0.9]
    assert figures["ratio"] == 0.9 and figures["ratio_of_medians"] == 1.12  # 90 / 80
    results = {"targets": {"ours-1": {"status": "ok", "scenarios": {}}}, "world_size": {},
               "paired": {"ours-1/ours-1-nc mixed": figures}}
    assert stats.paired_ratio(results, "ours-1", "ours-1-nc", "mixed") == 0.9


def test_only_chooses_the_parts_that_run() -> None:
    bench, measure = bench_module("run"), bench_module("measure")
    assert bench.parts("proxy") == ["proxy"]
    assert bench.parts("proxy, world-size") == ["world-size", "proxy"]  # in running order
    assert bench.parts("ceiling") == ["ours", "ceiling"]  # it answers the bytes ours captures
    assert all(hasattr(measure.Bench, method) for method in bench.PARTS.values())
    refused = subprocess.run([sys.executable, "bench/run.py", "--only", "proxi"], cwd=ROOT,
                             capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2 and "unknown part(s) 'proxi'" in refused.stderr
