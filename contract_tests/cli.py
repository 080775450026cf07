"""`contract-test`: the contract suite without writing a pytest command line.

    contract-test [run] [--base-url URL --token T ...] [pytest arguments such as -k, -x]
    contract-test drift --base-url A --other-base-url B [...]

`run` is pytest over contract_tests/ with the same options (and environment variables).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from contract_tests import options as opts

SUITE_DIR = Path(__file__).resolve().parent


def parse_run(argv: Sequence[str]) -> tuple[argparse.Namespace, list[str]]:
    """Our options, and everything else (passed on to pytest: -k, -x, --junitxml ...)."""
    parser = argparse.ArgumentParser(prog="contract-test run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    opts.add_to(parser.add_argument)
    return parser.parse_known_args(argv)


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


def main(argv: Sequence[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["drift"]:
        from contract_tests import drift

        sys.exit(drift.main(argv[1:]))
    if argv[:1] == ["run"]:
        argv = argv[1:]
    sys.exit(run(argv))


if __name__ == "__main__":
    main()
