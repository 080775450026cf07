"""Staging safety: a request rate limit and a total request budget shared by every client of a
run (the contract suite's and `accelevents-mock record`'s)."""

from __future__ import annotations

import argparse
import threading
import time
from collections.abc import Callable


class BudgetExhausted(RuntimeError):
    """The run has sent as many requests as it was allowed to."""


class UnsafeRequest(RuntimeError):
    """A write was about to be sent to a target that is read-only for this run."""


SAFE_RATE = "5/s"  # the default for every command that sends to a real deployment
RATE_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
NO_LIMIT = ("", "none", "off", "0")
RATE_HELP = ("most requests per second, minute, hour or day, e.g. 5/s or 100/m "
             "(a bare number is per second; 'none' or 0: no limit)")


def parse_rate(text: str | None) -> str | None:
    """Every `--rate-limit` in one form: `5/s`, `100/m`, `2/h`, `1/d`, or a bare `5` (per
    second); `none`, `off` or `0` for no limit. Returns `N/unit` (None: no limit), the form
    Schemathesis's own rate limit reads too, so counts are whole numbers (`30/m`, not `0.5/s`)."""
    if text is None or text.strip().lower() in NO_LIMIT:
        return None
    count, slash, unit = text.strip().partition("/")
    unit = unit.strip() if slash else "s"
    if not count.strip().isdigit() or int(count) < 1 or unit not in RATE_UNITS:
        raise ValueError(f"rate limit {text!r}: expected N/s, N/m, N/h or N/d with a whole N "
                         "(e.g. 5/s or 30/m), a bare N per second, or 'none' (also 0) for no limit")
    return f"{int(count)}/{unit}"


def rate_argument(text: str) -> str | None:
    """`parse_rate` as an argparse `type`, so a bad value is a usage error that says why."""
    try:
        return parse_rate(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def per_second(rate: str | None) -> float | None:
    rate = parse_rate(rate)
    if rate is None:
        return None
    count, _, unit = rate.partition("/")
    return int(count) / RATE_UNITS[unit]


class Throttle:
    """Spaces requests to the rate limit and counts them against the budget (0: unlimited)."""

    def __init__(self, rate: str | None = None, budget: int = 0) -> None:
        self.rate = per_second(rate)
        self.budget = budget
        self.sent = 0
        self.on_send: Callable[[], None] | None = None  # told of each request (progress)
        self._next_at = 0.0
        self._lock = threading.Lock()

    @property
    def exhausted(self) -> bool:
        return bool(self.budget) and self.sent >= self.budget

    def acquire(self, *, pace: bool = True) -> None:
        """Count one request; with `pace`, wait for its slot under the rate limit (Schemathesis
        paces its own requests through its `rate-limit` setting, so its hook passes False)."""
        with self._lock:
            if self.exhausted:
                raise BudgetExhausted(f"request budget of {self.budget} requests is used up")
            self.sent += 1
            if self.on_send is not None:
                self.on_send()
            if pace and self.rate:
                now = time.monotonic()
                wait = self._next_at - now
                self._next_at = max(now, self._next_at) + 1 / self.rate
                if wait > 0:
                    time.sleep(wait)
