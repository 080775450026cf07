"""`accelevents-mock test`: the contract suite without writing a pytest command line.

    accelevents-mock test [--base-url URL --token T ...] [pytest arguments such as -k, -x]

It is pytest over accelevents_mock/harness/ with the same options (and environment variables);
without --base-url it tests the mock in process.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from accelevents_mock.harness import options as opts

SUITE_DIR = Path(__file__).resolve().parent
EXAMPLE = """example (the in-process mock, property tests only):
  accelevents-mock test -k test_properties --max-examples 5
"""


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="accelevents-mock test", description=__doc__, epilog=EXAMPLE,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    opts.add_to(p.add_argument)
    return p


def parse_run(argv: Sequence[str]) -> tuple[argparse.Namespace, list[str]]:
    """Our options, and everything else (passed on to pytest: -k, -x, --junitxml ...)."""
    return parser().parse_known_args(argv)


def run(argv: Sequence[str]) -> int:
    import pytest

    args, pytest_args = parse_run(argv)
    opts.resolve(opts.given_from(args))  # fail fast on bad values, before pytest starts
    forwarded: list[str] = []
    for option in opts.OPTIONS:
        value = getattr(args, f"contract_{option.dest}")
        if value is None:
            continue
        forwarded += [option.flag] if option.kind == "bool" else [option.flag, str(value)]
    return int(pytest.main([str(SUITE_DIR), "-p", "no:cacheprovider", "-q", "-rs",
                            *forwarded, *[a for a in pytest_args if a != "--"]]))
