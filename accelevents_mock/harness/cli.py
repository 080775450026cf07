"""`accelevents-mock test`: the contract suite without writing a pytest command line.

    accelevents-mock test [--base-url URL --token T ...] [pytest arguments such as -k, -x]

It is pytest over accelevents_mock/harness/ with the same options (and environment variables);
without --base-url it tests the mock in process.
"""

from __future__ import annotations

import argparse
import difflib
from collections.abc import Sequence
from pathlib import Path

from accelevents_mock.harness import options as opts
from accelevents_mock.terminal.usage import USAGE_EXIT, OneLineParser, UsageError, stop

SUITE_DIR = Path(__file__).resolve().parent
PROG = "accelevents-mock test"
EXAMPLE = """example (the in-process mock, property tests only):
  accelevents-mock test -k test_properties --max-examples 5
"""


def parser() -> argparse.ArgumentParser:
    p = OneLineParser(prog=PROG, description=__doc__, epilog=EXAMPLE,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    opts.add_to(p.add_argument)
    return p


def parse_run(argv: Sequence[str]) -> tuple[argparse.Namespace, list[str]]:
    """Our options, and everything else (passed on to pytest: -k, -x, --junitxml ...)."""
    return parser().parse_known_args(argv)


def misspelt(pytest_args: Sequence[str]) -> str | None:
    """An unknown --flag close to one of ours (pytest would answer it with its whole usage)."""
    ours = [option.flag for option in opts.OPTIONS]
    for arg in pytest_args:
        flag = arg.split("=", 1)[0]
        close = difflib.get_close_matches(flag, ours, n=1, cutoff=0.8) if flag.startswith("--") else []
        if close:
            return f"unknown option {flag}: did you mean {close[0]}? (see --help)"
    return None


def preflight(options: opts.Options) -> None:
    """A live target answers and takes the tokens, or one line says why not (exit 2)."""
    from accelevents_mock.harness.run import preflight as check
    from accelevents_mock.harness.run import start
    from accelevents_mock.harness.targets import app_object

    if not options.in_process:
        check(start(options))
    elif options.app:
        app_object(options.app)


def run(argv: Sequence[str]) -> int:
    import pytest

    args, pytest_args = parse_run(argv)
    mistake = misspelt(pytest_args)
    if mistake:
        stop(PROG, mistake)
    try:  # bad values, a dead target, a refused token: one line before pytest starts
        preflight(opts.resolve(opts.given_from(args)))
    except UsageError as exc:
        stop(PROG, str(exc))
    forwarded: list[str] = []
    for option in opts.OPTIONS:
        value = getattr(args, f"contract_{option.dest}")
        if value is None:
            continue
        forwarded += [option.flag] if option.kind == "bool" else [option.flag, str(value)]
    # No -q of ours: the user's -q quiets the progress lines too.
    # The pre-flight imported modules pytest would have rewritten; that warning is no news.
    code = int(pytest.main([str(SUITE_DIR), "-p", "no:cacheprovider", "-rs",
                            "-W", "ignore::pytest.PytestAssertRewriteWarning",
                            *forwarded, *[a for a in pytest_args if a != "--"]]))
    return USAGE_EXIT if code == pytest.ExitCode.USAGE_ERROR else code
