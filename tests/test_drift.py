"""The drift report: contract drift fails the run, differences of data do not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from accelevents_mock.harness import drift


def run_drift(tmp_path: Path, first: str | None, second: str | None) -> tuple[int, dict]:
    argv = ["--report-dir", str(tmp_path)]
    argv += ["--app", f"tests.broken_servers:{first}"] if first else []
    argv += ["--other-app", f"tests.broken_servers:{second}"] if second else []
    code = drift.main(argv)
    return code, json.loads((tmp_path / "drift.json").read_text())


def test_two_correct_targets_with_other_data_do_not_drift(tmp_path: Path) -> None:
    code, report = run_drift(tmp_path, None, "seed_7")
    assert (code, report["drift"]) == (0, {})
    assert report["data_notes"], "seed 7 holds other data: the notes should say where"


@pytest.mark.parametrize(("server", "kind", "needle"), [
    ("missing_field", "fields", "title"),
    ("wrong_type", "types", "sessionId"),
    ("enum_outside_spec", "enum_values_outside_spec", "format"),
    ("status_changed", "statuses", "no credential"),
])
def test_a_planted_difference_is_named(tmp_path: Path, server: str, kind: str, needle: str) -> None:
    code, report = run_drift(tmp_path, None, server)
    named = [path for entry in report["drift"].values() for path in entry.get(kind, {})]
    assert code == 1 and any(needle in path for path in named), report["drift"]
