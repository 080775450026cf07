"""Progress of a long run (`test`, `record`, `drift`) on stderr, from its first second: requests
sent (of the most it may send), rate and time left. A terminal gets rich's live bar; a log file
or CI gets a plain line every few seconds with the same figures. Nothing under -q, except the
last line, which says why the run stopped."""

from __future__ import annotations

import sys
import threading
import time
from types import TracebackType
from typing import IO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.progress import Progress as RichProgress

PLAIN_EVERY_S = 5.0  # between plain lines when stderr is no terminal


class Progress:
    """Counts requests; `advance` may be called from any thread (the engine's workers)."""

    def __init__(self, what: str, total: int | None = None, *, quiet: bool = False,
                 stream: IO[str] | None = None, every_s: float = PLAIN_EVERY_S) -> None:
        self.what, self.total, self.quiet, self.every_s = what, total or None, quiet, every_s
        self.console = Console(file=stream or sys.stderr, highlight=False)
        self.live = self.console.is_terminal and not quiet
        self.bar = RichProgress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
            TaskProgressColumn(), TextColumn("{task.fields[rate]}"), TimeElapsedColumn(),
            TextColumn("left"), TimeRemainingColumn(), console=self.console,
            disable=not self.live, transient=False)
        self.task = self.bar.add_task(what, total=self.total, rate="")
        self._lock = threading.Lock()
        self._printed_at = 0.0
        self._started = False

    def __enter__(self) -> Progress:
        self.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()

    def start(self) -> None:
        if self._started:
            return
        self._started = True
        if self.live:
            self.bar.start()
        else:
            self._plain(force=True)

    def advance(self, count: int = 1) -> None:
        self.bar.advance(self.task, count)
        rate = self.rate()
        self.bar.update(self.task, rate=f"{rate:.1f}/s" if rate is not None else "")
        if not self.live:
            self._plain()

    @property
    def done(self) -> int:
        return int(self.bar.tasks[0].completed)

    def rate(self) -> float | None:
        return self.bar.tasks[0].speed

    def line(self) -> str:
        """The figures as one plain line: `42/2000 requests, 4.8/s, about 6m left`."""
        task = self.bar.tasks[0]
        count = f"{self.done}/{self.total}" if self.total else f"{self.done}"
        parts = [f"{self.what}: {count} requests"]
        rate = task.speed
        parts.append(f"{rate:.1f}/s" if rate else "rate not known yet")
        left = task.time_remaining
        if self.total:
            parts.append(f"at most {_duration(left)} left" if left is not None else "time left not known yet")
        return ", ".join(parts)

    def _plain(self, *, force: bool = False) -> None:
        if self.quiet:
            return
        now = time.monotonic()
        with self._lock:
            if not force and now - self._printed_at < self.every_s:
                return
            self._printed_at = now
        self.console.print(self.line(), soft_wrap=True)

    def stop(self, reason: str | None = None) -> None:
        """End the display; `reason` (why the run stopped) is printed even under -q."""
        if self.live and self._started:
            self.bar.stop()
        self._started = False
        if reason:
            self.console.print(f"{self.what}: {reason}", soft_wrap=True)


def _duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    return f"{minutes}m{seconds:02d}s" if minutes < 60 else f"{minutes // 60}h{minutes % 60:02d}m"
