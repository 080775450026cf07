"""Staging safety: a request rate limit and a total request budget shared by every client of a
run (the contract suite's and `mockserver record`'s)."""

from __future__ import annotations

import threading
import time


class BudgetExhausted(RuntimeError):
    """The run has sent as many requests as it was allowed to."""


class UnsafeRequest(RuntimeError):
    """A write was about to be sent to a target that is read-only for this run."""


def per_second(rate: str | None) -> float | None:
    if not rate:
        return None
    count, _, unit = rate.partition("/")
    seconds = {"s": 1, "m": 60, "h": 3600, "d": 86400}[unit]
    return float(count) / seconds


class Throttle:
    """Spaces requests to the rate limit and counts them against the budget (0: unlimited)."""

    def __init__(self, rate: str | None = None, budget: int = 0) -> None:
        self.rate = per_second(rate)
        self.budget = budget
        self.sent = 0
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
            if pace and self.rate:
                now = time.monotonic()
                wait = self._next_at - now
                self._next_at = max(now, self._next_at) + 1 / self.rate
                if wait > 0:
                    time.sleep(wait)
