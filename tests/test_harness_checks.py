"""docs/harness.md lists every check that runs, with what it catches."""

from __future__ import annotations

import re
from pathlib import Path

from schemathesis.checks import CHECKS, load_all_checks

from accelevents_mock.harness import checks

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "harness.md"


def listed() -> set[str]:
    """The check names in the first column of the guide's check table."""
    return set(re.findall(r"^\| `([a-z_]+)` \| (?:Schemathesis|ours) \|", GUIDE.read_text(), re.M))


def test_every_check_of_ours_is_listed() -> None:
    ours = {name for name in CHECKS.get_all_names()
            if CHECKS.get_one(name).__module__ == checks.__name__}
    assert set(checks.OUR_CHECKS) == ours  # OUR_CHECKS is what the config enables
    assert ours - listed() == set(), "add these to the table in docs/harness.md"


def test_every_enabled_built_in_check_is_listed() -> None:
    load_all_checks()
    enabled = {name for name, entry in checks.checks_section().items() if entry["enabled"]}
    assert enabled <= set(CHECKS.get_all_names()), "a configured check that Schemathesis lacks"
    assert enabled - listed() == set(), "add these to the table in docs/harness.md"
