"""The named cases of the documents, listed once: fixed tokens by role, the session cases, and the
`Cases` a target offers for them (from our mock's world, or a staging config).

Tokens and event URLs are the same for every seed so the docs' examples can be copied and pasted;
what the seed changes is everything else (people, titles, times, the other sessions).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

EVENT_URL = "mock-event"
OTHER_EVENT_URL = "other-event"
MISSING_EVENTURL = "nope"  # the mock's "no such event"; a live config may name another
MISSING_SESSION = 999999

FULL_SESSION_CAPACITY = 3
SMALL_SESSION_CAPACITY = 10
LIMITED_PASS_SESSIONS = 2


class Role(StrEnum):
    """Who calls, by the part they play in the documented cases."""

    ATTENDEE = "attendee"  # General ticket, free to register anywhere it is allowed
    EXCLUDED_ATTENDEE = "excluded_attendee"  # ticket type not allowed in the restricted session
    LIMITED_ATTENDEE = "limited_attendee"  # ticket permits N sessions and already holds N
    NO_TICKET = "no_ticket"  # a user of the platform without a ticket to the event
    HOST = "host"  # admin of EVENT_URL (not of OTHER_EVENT_URL)
    SPEAKER = "speaker"  # speaker with a ticket
    OTHER_HOST = "other_host"  # admin of OTHER_EVENT_URL only
    NETWORKER = "networker"  # second attendee, handy for networking matches
    UNKNOWN = "unknown"  # never valid: gives 401


# The mock's fixed tokens (UNKNOWN is not a user's: it is the token no world accepts).
TOKENS: dict[str, str] = {
    Role.ATTENDEE: "attendee-token",
    Role.EXCLUDED_ATTENDEE: "excluded-attendee-token",
    Role.LIMITED_ATTENDEE: "limit-attendee-token",
    Role.NO_TICKET: "no-ticket-token",
    Role.HOST: "host-token",
    Role.SPEAKER: "speaker-token",
    Role.OTHER_HOST: "other-host-token",
    Role.NETWORKER: "networker-token",
}
UNKNOWN_TOKEN = "unknown-token"


class SessionCase(StrEnum):
    """Sessions by the documented case they demonstrate."""

    OPEN = "open"  # live breakout, unlimited, any ticket
    FULL = "full"  # live, at capacity
    RESTRICTED = "restricted"  # live, VIP tickets only
    ENDED = "ended"  # ended before now
    UPCOMING = "upcoming"  # starts tomorrow
    LATE_JOIN = "late_join"  # started longer ago than allowedMinutesToJoinLate
    WORKSHOP = "workshop"  # live WORKSHOP (Chime)
    NETWORKING = "networking"  # live MEET_UP
    HIDDEN = "hidden"  # live, HIDDEN and hideSessionFromAttendees
    SMALL = "small"  # live, SMALL_SESSION_CAPACITY seats, none taken: watch it fill up
    # Only on a live target: ended sessions of that format the attendee is registered for (the
    # mock makes them by registering and moving its clock on).
    ENDED_WORKSHOP = "ended_workshop"
    ENDED_NETWORKING = "ended_networking"

    @property
    def key(self) -> str:
        """The name in the mock's world (`GET /__mock/world` cases) and in `cases` fixtures."""
        return f"{self.value}_session"


LIVE_ONLY = frozenset({SessionCase.ENDED_WORKSHOP, SessionCase.ENDED_NETWORKING})
SEEDED = tuple(case for case in SessionCase if case not in LIVE_ONLY)  # in every generated world


@dataclass
class Cases:
    """A target's named cases; a None means the target has no data for it (its test is skipped)."""

    source: str
    eventurl: str | None = None
    missing_eventurl: str = MISSING_EVENTURL
    missing_session: int = MISSING_SESSION
    sessions: dict[SessionCase, int | None] = field(default_factory=dict)
    tokens: dict[Role, str | None] = field(default_factory=dict)
    sessions_permitted: int | None = None
    clock_control: bool = False  # our mock's PUT /__mock/clock can move time on

    def session(self, case: SessionCase) -> int | None:
        return self.sessions.get(case)

    def token(self, role: Role) -> str | None:
        return self.tokens.get(role)


def cases_from_world(world: dict[str, Any]) -> Cases:
    """The cases our mock describes at `GET /__mock/world`."""
    named = world["cases"]
    eventurl = named.get("eventurl")
    sessions: dict[SessionCase, int | None] = {case: named.get(case.key) for case in SessionCase}
    limited = next((u for u in world.get("users", []) if u.get("case") == Role.LIMITED_ATTENDEE), None)
    permitted = next((t["sessionsPermitted"] for t in (limited or {}).get("tickets", [])
                      if t.get("eventurl") == eventurl and t.get("sessionsPermitted")), None)
    tokens: dict[Role, str | None] = {role: named.get("tokens", {}).get(role) for role in Role}
    return Cases("mock /__mock/world", eventurl, sessions=sessions, tokens=tokens,
                 sessions_permitted=permitted, clock_control=True)
