"""The bench's statistics: ratios between servers, and how rounds measured in turns are summed
up (by the median of what each round shows, not by comparing each side's median)."""

from __future__ import annotations

import statistics
from typing import Any

import load as loads
from servers import MEASURED

Results = dict[str, Any]  # everything a run measured, as its JSON holds it


def ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 2) if a and b else None


def ours_names(results: Results) -> list[str]:
    return [n for n in results[MEASURED] if n.startswith("ours-")]


def add_ratios(results: Results) -> None:
    """Each scenario of ours gets its req/s over Prism's and over the ceiling's."""
    measured = results[MEASURED]
    prism, ceiling = measured.get("prism", {}), measured.get("ceiling", {})
    for name in ours_names(results):
        for scenario, figures in measured[name].get("scenarios", {}).items():
            other = prism.get("scenarios", {}).get(scenario, {})
            top = ceiling.get("scenarios", {}).get(scenario, {})
            figures["vs_prism"] = ratio(figures["rps"], other.get("rps"))
            figures["vs_ceiling"] = ratio(figures["rps"], top.get("rps"))


def paired_figures(rounds: dict[str, list[float]], first: str, second: str) -> dict[str, Any]:
    """Two servers' req/s measured in turns: judged by the median over the rounds of each
    round's ratio (`first`'s req/s over `second`'s just after it), as the proxy is judged by
    each round's difference. A round's two drives share a spell of the machine, which swings
    ±50 % from one round to the next; the medians of each side alone lose that pairing."""
    per_round = [round(a / b, 3) for a, b in zip(rounds[first], rounds[second], strict=True) if b]
    medians = {name: statistics.median(rps) for name, rps in rounds.items()}
    return {"rounds": rounds, "median_rps": medians, "round_ratios": per_round,
            "ratio": round(statistics.median(per_round), 2) if per_round else None,
            "ratio_of_medians": ratio(medians[first], medians[second])}


def paired_ratio(results: Results, server: str, other: str, scenario: str) -> float | None:
    """`server`'s req/s over `other`'s as measured in turns (the `paired` part), if it ran."""
    return results.get("paired", {}).get(f"{server}/{other} {scenario}", {}).get("ratio")


def added_ms(direct: loads.LoadResult, proxied: loads.LoadResult) -> float | None:
    if direct.p50_ms is None or proxied.p50_ms is None:
        return None
    return round(proxied.p50_ms - direct.p50_ms, 3)


def added_in_turns(rounds: dict[str, list[loads.LoadResult]]) -> dict[str, Any]:
    """The direct and proxied rounds of one scenario: each side summed up over its rounds, and
    what the proxy added at p50, per round (against the direct round just before it) and the
    median of those, which the goal is judged on."""
    added = [added_ms(direct, proxied)
             for direct, proxied in zip(rounds["direct"], rounds["proxied"], strict=True)]
    return {"direct": loads.LoadResult.median_of(rounds["direct"]).to_dict(),
            "proxied": loads.LoadResult.median_of(rounds["proxied"]).to_dict(),
            "rounds": {side: [r.to_dict() for r in results] for side, results in rounds.items()},
            "added_p50_rounds_ms": added, "added_p50_ms": loads.median(added)}
