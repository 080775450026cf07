"""Builds a consistent, seeded world with Faker: same seed, same world, byte for byte.

Faker is slow per call (~60 µs), so text is drawn from small seeded pools and the pools are
sampled with a seeded `random.Random`; that keeps 10,000 sessions well under a second.
"""

from __future__ import annotations

import base64
import json
import random
from datetime import datetime, timedelta

from faker import Faker

from accelevents_mock.contract import cases
from accelevents_mock.contract.cases import SessionCase
from accelevents_mock.domain.models import (
    Event,
    EventTicket,
    Session,
    SessionFormat,
    Speaker,
    Sponsor,
    StreamSettings,
    Tag,
    TicketType,
    Track,
    User,
    World,
)
from accelevents_mock.world.defaults import DEFAULT_SEED, DEFAULT_SESSIONS, GENERATED_ATTENDEES

POOL_SIZE = 300

HOUR = timedelta(hours=1)
MUX_RTMP_URL = "rtmps://global-live.mux.com:443/app"
STREAM_PROVIDERS = ("YOUTUBE", "ACCELEVENTS", "VIMEO", "WISTIA", "ZOOM", "DIRECT_UPLOAD", "FACEBOOK")
SUB_STREAM_PROVIDERS = ("OPENTOK", "VOXEET", "CHIME", "AGORA")
STREAMED_FORMATS = (SessionFormat.MAIN_STAGE, SessionFormat.BREAKOUT_SESSION)


class _Ids:
    """Sequential ids per kind, in ranges that look like the documents' samples."""

    def __init__(self) -> None:
        self._next = {
            "event": 1, "user": 8001, "ticket_type": 10001, "ticket": 57001, "speaker": 5001,
            "track": 701, "tag": 801, "sponsor": 901, "session": 11001,
        }

    def __call__(self, kind: str) -> int:
        value = self._next[kind]
        self._next[kind] = value + 1
        return value


class WorldBuilder:
    def __init__(self, seed: int, anchor: datetime) -> None:
        self.rng = random.Random(seed)
        self.fake = Faker()
        self.fake.seed_instance(seed)
        self.ids = _Ids()
        self.anchor = anchor.replace(minute=0, second=0, microsecond=0)
        self.world = World(seed=seed, anchor=self.anchor)
        self._pools = self._make_pools()
        self._titles_used: dict[str, int] = {}

    # -- text pools -------------------------------------------------------------------------
    def _make_pools(self) -> dict[str, list[str]]:
        f = self.fake
        return {
            "title": [f.catch_phrase() for _ in range(POOL_SIZE)],
            "description": [f.paragraph(nb_sentences=3) for _ in range(60)],
            "location": [f"{f.city()} Hall" for _ in range(20)],
        }

    def _pick(self, pool: str) -> str:
        return self.rng.choice(self._pools[pool])

    def _unique_title(self) -> str:
        title = self._pick("title")
        seen = self._titles_used.get(title, 0)
        self._titles_used[title] = seen + 1
        return title if not seen else f"{title} ({seen + 1})"

    def _token(self) -> str:
        return f"tok-{self.rng.getrandbits(64):016x}"

    def _jwt_like(self, audience: str) -> str:
        """An opaque, JWT-shaped playback token like the documents' samples (not signed)."""

        def b64(obj: dict) -> str:
            raw = json.dumps(obj, separators=(",", ":")).encode()
            return base64.urlsafe_b64encode(raw).decode().rstrip("=")

        header = b64({"kid": f"{self.rng.getrandbits(64):x}", "alg": "RS256"})
        payload = b64({"sub": f"{self.rng.getrandbits(96):x}", "aud": audience})
        signature = base64.urlsafe_b64encode(self.rng.randbytes(48)).decode().rstrip("=")
        return f"{header}.{payload}.{signature}"

    # -- people -----------------------------------------------------------------------------
    def user(self, token: str | None = None) -> User:
        f = self.fake
        first, last = f.first_name(), f.last_name()
        handle = f"{first}.{last}".lower().replace(" ", "").replace("'", "")
        user = User(
            id=self.ids("user"), first_name=first, last_name=last,
            email=f"{handle}@example.com", phone=f.numerify("+1-###-###-####"),
            token=token or self._token(), title=f.job(), company=f.company(),
            image_url=f"https://images.example.com/profile/{handle}.png",
            pronouns=self.rng.choice([None, "she/her", "he/him", "they/them"]),
            bio=self._pick("description"),
            linkedin=f"https://www.linkedin.com/in/{handle}",
            twitter=f"https://twitter.com/{handle.replace('.', '_')}",
            instagram=None,
        )
        self.world.users[user.id] = user
        return user

    def ticket(self, event: Event, user: User, ticket_type: TicketType) -> EventTicket:
        ticket = EventTicket(self.ids("ticket"), event.id, user.id, ticket_type.id)
        self.world.tickets[ticket.id] = ticket
        return ticket

    # -- catalogue --------------------------------------------------------------------------
    def event(self, url: str, admins: tuple[int, ...]) -> Event:
        name = f"{self.fake.company()} Summit"
        event = Event(self.ids("event"), url, name, admins)
        self.world.events[url] = event
        return event

    def ticket_type(self, event: Event, name: str, permitted: int | None = None) -> TicketType:
        tt = TicketType(self.ids("ticket_type"), event.id, name, permitted)
        self.world.ticket_types[tt.id] = tt
        return tt

    def _catalogue(self) -> None:
        f, w = self.fake, self.world
        for position in range(1, 6):
            track = Track(self.ids("track"), f"{f.word().title()} track", f.hex_color(),
                          position * 1000.0, self.rng.choice([None, f.sentence()]))
            w.tracks[track.id] = track
        for _ in range(6):
            tag = Tag(self.ids("tag"), f.word().title())
            w.tags[tag.id] = tag
        for _ in range(4):
            name = f.company()
            slug = name.lower().replace(" ", "-").replace(",", "")
            sponsor = Sponsor(self.ids("sponsor"), name, f"https://images.example.com/logo/{slug}.png",
                              f"https://{slug}.example.com")
            w.sponsors[sponsor.id] = sponsor

    # -- sessions ---------------------------------------------------------------------------
    def stream_for(self, fmt: SessionFormat) -> StreamSettings | None:
        if fmt not in STREAMED_FORMATS:
            return None
        provider = self.rng.choice(STREAM_PROVIDERS)
        studio = provider == "ACCELEVENTS"
        video_id = base64.urlsafe_b64encode(self.rng.randbytes(8)).decode()[:11]
        return StreamSettings(
            provider=provider,
            sub_provider=self.rng.choice(SUB_STREAM_PROVIDERS) if studio else None,
            url=None if studio else f"{video_id}",
            key=f"{self.rng.getrandbits(128):032x}" if studio else None,
            rtmp_url=MUX_RTMP_URL if studio else None,
            accel_events_studio=studio,
            playback_token=self._jwt_like("v") if studio else None,
            thumbnail_token=self._jwt_like("t") if studio else None,
        )

    def session(self, event: Event, fmt: SessionFormat, start: datetime, hours: float,
                **overrides: object) -> Session:
        w = self.world
        speaker_ids = tuple(sorted(self.rng.sample(sorted(w.speakers), k=self.rng.randint(0, 2))))
        fields: dict = {
            "id": self.ids("session"), "event_id": event.id, "title": self._unique_title(),
            "format": fmt, "start": start, "end": start + timedelta(hours=hours),
            "capacity": self.rng.choice((0, 0, 50, 100, 250)),
            "description": self.rng.choice([None, self._pick("description")]),
            "location": self.rng.choice([None, self._pick("location")]),
            "speaker_ids": speaker_ids if fmt not in (SessionFormat.MEET_UP, SessionFormat.BREAK) else (),
            "sponsor_ids": tuple(sorted(self.rng.sample(sorted(w.sponsors), k=self.rng.randint(0, 1)))),
            "track_ids": tuple(sorted(self.rng.sample(sorted(w.tracks), k=self.rng.randint(0, 2)))),
            "tag_ids": tuple(sorted(self.rng.sample(sorted(w.tags), k=self.rng.randint(0, 2)))),
            "stream": self.stream_for(fmt),
            "interested_count": self.rng.randint(0, 40),
            "position": float(1000 * self.rng.randint(1, 5)),
            "record_session": self.rng.random() < 0.8,
            "hide_video_controls": self.rng.random() < 0.3,
        }
        fields.update(overrides)
        session = Session(**fields)
        w.sessions[session.id] = session
        return session

    def _named_sessions(self, event: Event, vip: TicketType) -> dict[SessionCase, Session]:
        now, fmt = self.anchor, SessionFormat
        live = now - HOUR / 2
        return {
            SessionCase.OPEN: self.session(event, fmt.BREAKOUT_SESSION, live, 3, capacity=0),
            SessionCase.FULL: self.session(event, fmt.BREAKOUT_SESSION, live, 3,
                                         capacity=cases.FULL_SESSION_CAPACITY),
            SessionCase.RESTRICTED: self.session(event, fmt.MAIN_STAGE, live, 3, capacity=0,
                                               ticket_type_ids=(vip.id,)),
            SessionCase.ENDED: self.session(event, fmt.BREAKOUT_SESSION, now - 26 * HOUR, 2),
            SessionCase.UPCOMING: self.session(event, fmt.BREAKOUT_SESSION, now + 24 * HOUR, 1),
            SessionCase.LATE_JOIN: self.session(event, fmt.BREAKOUT_SESSION, now - HOUR, 3,
                                              allowed_minutes_to_join_late=15),
            SessionCase.WORKSHOP: self.session(event, fmt.WORKSHOP, live, 3, capacity=20),
            SessionCase.NETWORKING: self.session(event, fmt.MEET_UP, live, 3, capacity=0),
            SessionCase.HIDDEN: self.session(event, fmt.BREAKOUT_SESSION, live, 3, status="HIDDEN",
                                           hide_from_attendees=True),
            SessionCase.SMALL: self.session(event, fmt.BREAKOUT_SESSION, live, 3,
                                          capacity=cases.SMALL_SESSION_CAPACITY),
        }

    def _generated_session(self, event: Event) -> Session:
        fmt = self.rng.choice(list(SessionFormat))
        offset_hours = self.rng.randint(-48, 72)
        return self.session(event, fmt, self.anchor + offset_hours * HOUR, self.rng.choice((1, 1.5, 2, 3)))

    # -- registrations ----------------------------------------------------------------------
    def register(self, session: Session, user: User, ticket: EventTicket) -> None:
        self.world.initial_registrations.append((session.id, user.id, ticket.id))

    # -- the whole world --------------------------------------------------------------------
    def build(self, n_sessions: int, n_attendees: int = GENERATED_ATTENDEES) -> World:
        w, tokens = self.world, cases.TOKENS
        host = self.user(tokens["host"])
        other_host = self.user(tokens["other_host"])
        event = self.event(cases.EVENT_URL, (host.id,))
        other_event = self.event(cases.OTHER_EVENT_URL, (other_host.id,))
        general = self.ticket_type(event, "General Admission")
        vip = self.ticket_type(event, "VIP")
        limited = self.ticket_type(event, "Limited Pass", cases.LIMITED_PASS_SESSIONS)
        other_general = self.ticket_type(other_event, "General Admission")
        self._catalogue()

        speaker_users = [self.user(tokens["speaker"])] + [self.user() for _ in range(5)]
        for position, su in enumerate(speaker_users, start=1):
            sp = Speaker(self.ids("speaker"), su.id, position * 1000.0, moderator=position == 1)
            w.speakers[sp.id] = sp
            self.ticket(event, su, general)

        attendee = self.user(tokens["attendee"])
        networker = self.user(tokens["networker"])
        excluded = self.user(tokens["excluded_attendee"])
        limited_user = self.user(tokens["limited_attendee"])
        self.user(tokens["no_ticket"])  # a platform user with no ticket to the event
        for user in (attendee, networker, excluded):
            self.ticket(event, user, general)
        limited_ticket = self.ticket(event, limited_user, limited)
        self.ticket(other_event, attendee, other_general)

        crowd = [self.user() for _ in range(n_attendees)]
        crowd_tickets = [self.ticket(event, u, self.rng.choice((general, general, vip))) for u in crowd]

        named = self._named_sessions(event, vip)
        generated_count = max(n_sessions - len(named), 2)
        generated = [self._generated_session(event) for _ in range(generated_count)]
        for _ in range(3):
            self.session(other_event, SessionFormat.BREAKOUT_SESSION, self.anchor - HOUR / 2, 2)
        other_networking = self.session(other_event, SessionFormat.MEET_UP, self.anchor - HOUR / 2, 2,
                                        capacity=0)

        for user, ticket in zip(crowd[: cases.FULL_SESSION_CAPACITY], crowd_tickets, strict=False):
            self.register(named[SessionCase.FULL], user, ticket)
        for session in generated[: cases.LIMITED_PASS_SESSIONS]:
            self.register(session, limited_user, limited_ticket)
        self._crowd_registrations(generated, crowd, crowd_tickets)

        w.cases.update({case.key: s.id for case, s in named.items()})
        w.cases.update({
            "limited_attendee_sessions": [s.id for s in generated[: cases.LIMITED_PASS_SESSIONS]],
            "other_event_networking_session": other_networking.id,
            "ticket_types": {"general": general.id, "vip": vip.id, "limited": limited.id},
            "unknown_token": cases.UNKNOWN_TOKEN,
        })
        return w.index()

    def _crowd_registrations(self, sessions: list[Session], crowd: list[User],
                             tickets: list[EventTicket]) -> None:
        """Seed a few registrations so stats and analytics are not all zero."""
        for session in sessions[cases.LIMITED_PASS_SESSIONS:]:
            if session.ticket_type_ids or session.format is SessionFormat.BREAK:
                continue
            limit = session.capacity or len(crowd)
            count = min(self.rng.randint(0, 4), limit)
            for index in sorted(self.rng.sample(range(len(crowd)), k=count)):
                self.register(session, crowd[index], tickets[index])


def build_world(seed: int = DEFAULT_SEED, sessions: int = DEFAULT_SESSIONS,
                anchor: datetime | None = None, attendees: int = GENERATED_ATTENDEES) -> World:
    """Build the world for `seed` with about `sessions` sessions in the main event and
    `attendees` generated ticket holders besides the named ones."""
    from datetime import UTC

    return WorldBuilder(seed, anchor or datetime.now(UTC)).build(sessions, attendees)
