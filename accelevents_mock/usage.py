"""Command-line mistakes: one line on stderr saying what is wrong and what is accepted, exit
code 2 (argparse's own), no traceback, nothing on stdout.

`fail` is the one way out for a mistake found after parsing; `OneLineParser` makes argparse's
own errors (types, choices, unknown options) read the same; the option types below turn a bad
value into such an error, naming what the option accepts."""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable
from typing import NoReturn, TypeVar

PROG = "accelevents-mock"
USAGE_EXIT = 2  # as argparse exits on a mistake
T = TypeVar("T")


class Mistake(SystemExit):
    """A command-line mistake, already reported: exits with USAGE_EXIT, reads as its line."""

    def __init__(self, line: str) -> None:
        super().__init__(USAGE_EXIT)
        self.line = line

    def __str__(self) -> str:
        return self.line


def fail(option: str, message: str) -> NoReturn:
    """Report a mistake with `option` in one line and exit 2."""
    line = f"{PROG}: {option}: {message}"
    print(line, file=sys.stderr, flush=True)
    raise Mistake(line)


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a mistake is one line (its message names the option), not usage + error."""

    def error(self, message: str) -> NoReturn:
        line = f"{self.prog}: {message} (see {self.prog} --help)"
        print(line, file=sys.stderr, flush=True)
        raise Mistake(line)


def option_type(parse: Callable[[str], T], name: str) -> Callable[[str], T]:
    """`parse` as an argparse type whose ValueError message is shown (argparse would show only
    "invalid <function name> value")."""

    def convert(text: str) -> T:
        try:
            return parse(text)
        except (ValueError, OverflowError) as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    convert.__name__ = name
    return convert


def whole(low: int | None = None, high: int | None = None) -> Callable[[str], int]:
    """A whole number (from `low`) (to `high`)."""
    accepted = f"from {low} to {high}" if low is not None and high is not None else \
        f"of at least {low}" if low is not None else ""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or (low is not None and value < low) \
                or (high is not None and value > high):
            raise ValueError(f"{text!r:.40} is not a whole number {accepted}".rstrip())
        return value

    return option_type(parse, "whole number")


def number(text: str) -> float:
    """A finite number (its range is the setting's own check)."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text!r:.40} is not a number")
    return value


def seconds(text: str) -> float:
    """A number of seconds above 0."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"{text!r:.40} is not a number of seconds above 0")
    return value
