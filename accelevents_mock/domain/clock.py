"""The mock clock: real time by default, or frozen, or shifted, so sessions can be made to end."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TypedDict

TIME_FORMAT = "%Y/%m/%d %H:%M"  # the documents' "YYYY/MM/DD HH:MM"
INSTANT_FORMATS = "ISO 8601 (2026-03-10T12:00:00Z) or 'YYYY/MM/DD HH:MM' (UTC)"


class ClockView(TypedDict):
    """The clock as the control API shows it (`GET /__mock/clock`)."""

    now: str  # ISO 8601
    frozen: bool


class ClockSettings(TypedDict):
    """What makes two processes agree on now: an offset from real time, or a frozen instant."""

    frozenAt: str | None  # ISO 8601, or None while the clock runs
    offsetSeconds: float


def format_time(moment: datetime) -> str:
    return moment.strftime(TIME_FORMAT)


def parse_instant(text: str) -> datetime:
    """Accept ISO 8601 or the documents' "YYYY/MM/DD HH:MM"; naive values are UTC. A ValueError
    names what is accepted (the command line and the control API show it)."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            moment = datetime.strptime(text, TIME_FORMAT)
        except ValueError:
            raise ValueError(f"{text!r:.40} is not an instant: {INSTANT_FORMATS}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class MockClock:
    """Now, as the mock sees it: real time plus an offset, or a frozen instant."""

    def __init__(
        self,
        frozen_at: datetime | None = None,
        source: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._source = source
        self._frozen_at = frozen_at
        self._offset = timedelta()

    @property
    def frozen(self) -> bool:
        return self._frozen_at is not None

    def now(self) -> datetime:
        if self._frozen_at is not None:
            return self._frozen_at
        return self._source() + self._offset

    def pin(self, real: datetime) -> Callable[[], datetime]:
        """Until `unpin`: real time is `real` (a write replayed elsewhere sees the instant it
        was asked for, so every copy decides alike). Returns what `unpin` restores."""
        source, self._source = self._source, lambda: real
        return source

    def unpin(self, source: Callable[[], datetime]) -> None:
        self._source = source

    def set(self, moment: datetime, *, freeze: bool | None = None) -> None:
        """Jump to `moment`; keeps running from there unless frozen (or asked to freeze)."""
        if freeze is None:
            freeze = self.frozen
        if freeze:
            self._frozen_at = moment
            self._offset = timedelta()
        else:
            self._frozen_at = None
            self._offset = moment - self._source()

    def advance(self, delta: timedelta) -> None:
        self.set(self.now() + delta)

    def snapshot(self) -> ClockView:
        return {"now": self.now().isoformat(), "frozen": self.frozen}

    def restore(self, data: ClockView) -> None:
        self.set(parse_instant(data["now"]), freeze=bool(data.get("frozen")))

    # The exact settings (an offset, not an instant) so that workers that load them later
    # still agree on now.
    def settings(self) -> ClockSettings:
        frozen_at = self._frozen_at.isoformat() if self._frozen_at else None
        return {"frozenAt": frozen_at, "offsetSeconds": self._offset.total_seconds()}

    def load_settings(self, data: ClockSettings) -> None:
        frozen_at = data.get("frozenAt")
        self._frozen_at = parse_instant(frozen_at) if frozen_at else None
        self._offset = timedelta(seconds=float(data.get("offsetSeconds", 0)))
