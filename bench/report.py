"""The bench's report: one table of every server and scenario, the other figures one line each,
then each goal met or missed."""

from __future__ import annotations

from typing import Any

from goals import PLUGIN, Row
from servers import MEASURED, PROXIED, REFERENCES
from stats import Results

MARKS = {True: "met", False: "MISSED", None: "not measured"}


def fmt(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def report(results: Results) -> str:
    return "\n".join([*_table(results), "", *_other_figures(results), "", *_verdicts(results)])


def _table(results: Results) -> list[str]:
    header = (f"{'server':<12} {'scenario':<13} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} "
              f"{'ours/Prism':>10} {'ours/ceiling':>12}")
    lines = [header, "-" * len(header)]
    for name, figures in results[MEASURED].items():
        if figures.get("status") != "ok":
            lines.append(f"{name:<12} {'all':<13} n/a ({figures.get('reason')})")
            continue
        for scenario, f in figures["scenarios"].items():
            lines.append(f"{name:<12} {scenario:<13} {f['rps']:>9.1f} {fmt(f['p50_ms']):>8} "
                         f"{fmt(f['p99_ms']):>8} {fmt(f.get('vs_prism')):>10} "
                         f"{fmt(f.get('vs_ceiling')):>12}")
    return lines


def _other_figures(results: Results) -> list[str]:
    """Cold starts and RSS, the world sizes, the proxy and the plugin."""
    lines = []
    for name, figures in results[MEASURED].items():
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
        lines.append(_proxy_line(scenario, f))
    plugin = results.get("plugin")
    if plugin:
        lines.append(f"{PLUGIN:<10} set-up per test: median {fmt(plugin['median_ms'])} ms, "
                     f"p95 {fmt(plugin['p95_ms'])} ms, max {fmt(plugin['max_ms'])} ms "
                     f"({plugin['tests']} tests; the first {fmt(plugin['first_ms'])} ms)")
    return lines


def _proxy_line(scenario: str, f: dict[str, Any]) -> str:
    return (f"{PROXIED:<10} {scenario:<13} {f['proxied']['rps']:>9.1f} "
            f"{fmt(f['proxied']['p50_ms']):>8} {fmt(f['proxied']['p99_ms']):>8}   "
            f"p50 +{fmt(f['added_p50_ms'])} ms over the target directly "
            f"({fmt(f['direct']['p50_ms'])} ms; the median over rounds in turns, "
            f"{len(f['added_p50_rounds_ms'])} each); one connection: "
            f"+{fmt(f['one_connection']['added_p50_ms'])} ms; "
            f"proxy CPU {fmt(f.get('proxy_cpu_ms'), 3)} ms per exchange")


def _verdicts(results: Results) -> list[str]:
    lines = []
    for name, rows in results["checks"].items():
        lines.append(f"{name}: {_verdict(rows)}")
        for row in rows:
            lines.append(f"    {MARKS[row['ok']]:<12} {row['what']}: {fmt(row['value'])}"
                         f" (limit {fmt(row['limit'])})")
    lines += [f"{name}: reference" for name in results[MEASURED] if name in REFERENCES]
    return lines


def _verdict(rows: list[Row]) -> str:
    missed = [r["what"] for r in rows if r["ok"] is False]
    unknown = [r["what"] for r in rows if r["ok"] is None]
    verdict = "meets its goals" if not missed and not unknown else (
        f"misses {len(missed)} of {len(rows)}: " + "; ".join(missed) if missed
        else "not all measured")
    if unknown:
        verdict += f" (not measured: {'; '.join(unknown)})"
    return verdict
