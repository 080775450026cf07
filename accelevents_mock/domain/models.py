"""The world's immutable facts: events, people, tickets and sessions.

Everything that changes while the mock runs (registrations, Chime attendees, networking
status) lives in the store, not here; these objects are built once from a seed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class SessionFormat(StrEnum):
    MAIN_STAGE = "MAIN_STAGE"
    BREAKOUT_SESSION = "BREAKOUT_SESSION"
    MEET_UP = "MEET_UP"
    WORKSHOP = "WORKSHOP"
    EXPO = "EXPO"
    BREAK = "BREAK"
    OTHER = "OTHER"


class Role(StrEnum):
    ATTENDEE = "attendee"
    HOST = "host"
    SPEAKER = "speaker"


class AttendeeStatus(StrEnum):
    """Documented on "Update attendee's status for session"."""

    REGISTERED = "REGISTERED"
    CHECK_IN_AVAILABLE = "CHECK_IN_AVAILABLE"
    IN_MEETING = "IN_MEETING"
    LEFT = "LEFT"
    PAST_SESSION_CHECK_IN = "PAST_SESSION_CHECK_IN"


@dataclass(slots=True, frozen=True)
class TicketType:
    id: int
    event_id: int
    name: str
    # None means the ticket type does not restrict how many sessions its holder may join.
    sessions_permitted: int | None = None


@dataclass(slots=True, frozen=True)
class User:
    id: int
    first_name: str
    last_name: str
    email: str
    phone: str
    token: str
    title: str | None = None
    company: str | None = None
    image_url: str | None = None
    pronouns: str | None = None
    bio: str | None = None
    linkedin: str | None = None
    twitter: str | None = None
    instagram: str | None = None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass(slots=True, frozen=True)
class EventTicket:
    id: int
    event_id: int
    user_id: int
    ticket_type_id: int


@dataclass(slots=True, frozen=True)
class Speaker:
    id: int
    user_id: int
    position: float
    moderator: bool


@dataclass(slots=True, frozen=True)
class Track:
    id: int
    name: str
    color: str
    position: float
    description: str | None = None


@dataclass(slots=True, frozen=True)
class Tag:
    id: int
    name: str


@dataclass(slots=True, frozen=True)
class Sponsor:
    id: int
    name: str
    logo_url: str
    website: str


@dataclass(slots=True, frozen=True)
class StreamSettings:
    provider: str | None
    sub_provider: str | None
    url: str | None
    key: str | None
    rtmp_url: str | None
    accel_events_studio: bool
    playback_token: str | None
    thumbnail_token: str | None


@dataclass(slots=True, frozen=True)
class Session:
    id: int
    event_id: int
    title: str
    format: SessionFormat
    start: datetime
    end: datetime
    capacity: int  # 0 means unlimited, as in the documents' samples
    status: str = "VISIBLE"
    description: str | None = None
    location: str | None = None
    hide_from_attendees: bool = False
    visibility_type: str = "PUBLIC"
    allowed_minutes_to_join_late: int = 0
    speaker_ids: tuple[int, ...] = ()
    sponsor_ids: tuple[int, ...] = ()
    track_ids: tuple[int, ...] = ()
    tag_ids: tuple[int, ...] = ()
    # Empty means every ticket type of the event may register.
    ticket_type_ids: tuple[int, ...] = ()
    stream: StreamSettings | None = None
    enable_chat: bool = True
    enable_poll: bool = True
    enable_qna: bool = True
    record_session: bool = True
    hide_video_controls: bool = False
    position: float = 1000.0
    interested_count: int = 0
    duration: int | None = None


@dataclass(slots=True, frozen=True)
class Event:
    id: int
    url: str
    name: str
    admin_user_ids: tuple[int, ...]


@dataclass(slots=True)
class World:
    """Every fact of one seeded world, indexed the ways the API looks things up."""

    seed: int
    anchor: datetime
    events: dict[str, Event] = field(default_factory=dict)
    users: dict[int, User] = field(default_factory=dict)
    ticket_types: dict[int, TicketType] = field(default_factory=dict)
    tickets: dict[int, EventTicket] = field(default_factory=dict)
    speakers: dict[int, Speaker] = field(default_factory=dict)
    tracks: dict[int, Track] = field(default_factory=dict)
    tags: dict[int, Tag] = field(default_factory=dict)
    sponsors: dict[int, Sponsor] = field(default_factory=dict)
    sessions: dict[int, Session] = field(default_factory=dict)
    # Named cases of the documents: name -> id or token (see accelevents_mock.contract.cases).
    cases: dict[str, object] = field(default_factory=dict)
    # Registrations the world starts with: (session_id, user_id, ticket_id).
    initial_registrations: list[tuple[int, int, int]] = field(default_factory=list)
    users_by_token: dict[str, User] = field(default_factory=dict)
    tickets_by_user: dict[tuple[int, int], list[EventTicket]] = field(default_factory=dict)
    sessions_by_event: dict[int, list[Session]] = field(default_factory=dict)
    # Views derived from these immutable facts, built on first use (accelevents_mock.domain.views,
    # MockService's listing): a new world starts with none.
    cache: dict = field(default_factory=dict, repr=False, compare=False)

    def index(self) -> World:
        """Build the lookup tables from the primary dictionaries."""
        self.users_by_token = {u.token: u for u in self.users.values()}
        self.tickets_by_user = {}
        for ticket in self.tickets.values():
            key = (ticket.event_id, ticket.user_id)
            self.tickets_by_user.setdefault(key, []).append(ticket)
        self.sessions_by_event = {}
        for session in sorted(self.sessions.values(), key=lambda s: (s.start, s.position, s.id)):
            self.sessions_by_event.setdefault(session.event_id, []).append(session)
        return self

    def event_by_id(self, event_id: int) -> Event:
        return next(e for e in self.events.values() if e.id == event_id)

    def user_tickets(self, event_id: int, user_id: int) -> list[EventTicket]:
        return self.tickets_by_user.get((event_id, user_id), [])

    def is_host(self, event: Event, user: User) -> bool:
        return user.id in event.admin_user_ids
