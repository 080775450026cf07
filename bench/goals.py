"""The bench's goals for our mock (issues 7, 17 and 18), each a named figure to reach or not to
pass, and `checks`: every goal of each of our servers, met (True), missed (False) or not
measured (None)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from load import GETS
from servers import COMPUTED, MEASURED, ONE_WORKER, PROXIED, REDIS_ONE
from stats import Results, ours_names, paired_ratio, ratio

Row = dict[str, Any]  # one goal judged: what, value, limit, ok

PLUGIN = "pytest-plugin"  # the row of the pytest plugin's set-up (not a server)
WORLD_SIZES = (100, 10_000)  # sessions in the worlds whose computed list is compared


@dataclass(frozen=True)
class Goal:
    """A figure to reach (`at_most`: not to pass) and how the report names it: `what` may name
    the {limit} and any field the check fills in, e.g. the {scenario}. A goal without a limit
    of its own is judged against another server's figure, given with each value."""

    what: str
    limit: float | None
    at_most: bool = False

    def row(self, value: float | None, *, than: float | None = None, note: str = "",
            **fields: object) -> Row:
        limit = self.limit if self.limit is not None else than
        ok = None if value is None or limit is None else (
            value <= limit if self.at_most else value >= limit)
        return {"what": self.what.format(limit=limit, **fields) + note, "value": value,
                "limit": limit, "ok": ok}


# Every server of ours.
EVERY_ANSWER_2XX = Goal("every answer 2xx, no socket errors", 0, at_most=True)
VS_PRISM = Goal("{scenario}: req/s ≥ {limit:g}× Prism", 2.0)  # on every GET
P99_VS_PRISM = Goal("{scenario}: p99 ≤ Prism's", None, at_most=True)
VS_CEILING = Goal("{scenario}: req/s ≥ {limit:.0%} of the ceiling", 0.40)
# ours-1, as our mock starts by default.
COLD_START = Goal("cold start ≤ {limit:g} s", 1.0, at_most=True)
RSS = Goal("RSS after warm-up ≤ {limit:g} MB", 100.0, at_most=True)
# The computed list's p50 with the big world against the small one (a margin for noise).
WORLD_GROWTH = Goal("computed list p50, {big:,} vs {small} sessions ≤ {limit:g}×", 1.25,
                    at_most=True)
MIXED_VS_PRISM = Goal("mixed: req/s ≥ {limit:g}× Prism", 4.0)
CACHE_VS_COMPUTED = Goal("mixed: default ≥ --no-response-cache (ratio ≥ 1)", 1.0)
WRITES_VS_PRISM = Goal("register-mix: req/s ≥ {limit:g}× Prism", 1.0)
# ours-1-nc: computed list and detail, at 8 connections.
COMPUTED_P99_MS = Goal("{scenario} computed: p99 ≤ {limit:g} ms", 15.0, at_most=True)
# ours-1-redis: its reads against ours-1's.
REDIS_VS_MEMORY = Goal("{scenario}: Redis store ≥ {limit:.0%} of in-memory (ours-1)", 0.80)
# The validating proxy, over calling its target directly, and the pytest plugin.
PROXY_ADDED_MS = Goal("{scenario}: proxying adds ≤ {limit:g} ms at p50 over calling the target "
                      "directly (in turns)", 2.0, at_most=True)
PLUGIN_SETUP_MS = Goal("set-up of a fresh mock per test ≤ {limit:g} ms (95th percentile of "
                       "{tests} tests after the first)", 20.0, at_most=True)


def checks(results: Results) -> dict[str, list[Row]]:
    """Each of our servers measured, the proxy and the plugin: their goals, judged."""
    found = {name: _server_rows(name, results) for name in ours_names(results)
             if results[MEASURED][name].get("status") == "ok"}
    proxy = results.get("proxy", {}).get("scenarios", {})
    if proxy:
        found[PROXIED] = [PROXY_ADDED_MS.row(f["added_p50_ms"], scenario=scenario)
                          for scenario, f in proxy.items()]
    plugin = results.get("plugin")
    if plugin:
        found[PLUGIN] = [PLUGIN_SETUP_MS.row(plugin["p95_ms"], tests=plugin["tests"] - 1)]
    return found


def _server_rows(name: str, results: Results) -> list[Row]:
    rows = _every_server(name, results)
    if name == ONE_WORKER:
        rows += _one_worker(results)
    if name == COMPUTED:
        rows += [COMPUTED_P99_MS.row(_figure(results, name, scenario, "p99_ms"),
                                     scenario=scenario) for scenario in GETS]
    if name == REDIS_ONE:
        for scenario in GETS:
            value, note = _in_turns(results, name, ONE_WORKER, scenario,
                                    _rps_ratio(results, name, ONE_WORKER, scenario))
            rows.append(REDIS_VS_MEMORY.row(value, note=note, scenario=scenario))
    return rows


def _every_server(name: str, results: Results) -> list[Row]:
    scenarios = results[MEASURED][name]["scenarios"]
    failed = sum(f["non_2xx"] + f["socket_errors"] for f in scenarios.values())
    rows = [EVERY_ANSWER_2XX.row(failed)]
    for scenario in GETS:
        mine = scenarios[scenario]
        rows.append(VS_PRISM.row(mine["vs_prism"], scenario=scenario))
        rows.append(P99_VS_PRISM.row(mine["p99_ms"], than=_figure(results, "prism", scenario,
                                                                  "p99_ms"), scenario=scenario))
        value, note = _in_turns(results, name, "ceiling", scenario, mine["vs_ceiling"])
        rows.append(VS_CEILING.row(value, note=note, scenario=scenario))
    return rows


def _one_worker(results: Results) -> list[Row]:
    figures = results[MEASURED][ONE_WORKER]
    small, big = (results["world_size"].get(str(n), {}).get("p50_ms") for n in WORLD_SIZES)
    cached, note = _in_turns(results, ONE_WORKER, COMPUTED, "mixed",
                             _rps_ratio(results, ONE_WORKER, COMPUTED, "mixed"))
    return [COLD_START.row(figures["cold_start_s"]), RSS.row(figures["rss_mb"]),
            WORLD_GROWTH.row(ratio(big, small), small=WORLD_SIZES[0], big=WORLD_SIZES[1]),
            MIXED_VS_PRISM.row(_rps_ratio(results, ONE_WORKER, "prism", "mixed")),
            CACHE_VS_COMPUTED.row(cached, note=note),
            WRITES_VS_PRISM.row(_rps_ratio(results, ONE_WORKER, "prism", "register-mix"))]


def _in_turns(results: Results, server: str, other: str, scenario: str,
              apart: float | None) -> tuple[float | None, str]:
    """The pair's ratio as measured in turns, with the note that says so; `apart` (the ratio
    of figures measured a minute apart) if the `paired` part did not run."""
    in_turns = paired_ratio(results, server, other, scenario)
    return (apart, "") if in_turns is None else (in_turns, " (in turns)")


def _figure(results: Results, server: str, scenario: str, figure: str) -> float | None:
    return results[MEASURED].get(server, {}).get("scenarios", {}).get(scenario, {}).get(figure)


def _rps_ratio(results: Results, server: str, other: str, scenario: str) -> float | None:
    return ratio(_figure(results, server, scenario, "rps"), _figure(results, other, scenario, "rps"))
