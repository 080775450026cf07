"""A world built from a recording (`accelevents-mock record`): the deployment's sessions, speakers,
tracks and registrants, plus the named tokens so the documented rules can be exercised.

The recording holds what attendees and hosts were shown, not the platform's private data, so:
every recorded ticket type exists and `attendee-token` holds one ticket of each (it can register
wherever the session's rules allow); `limit-attendee-token` holds a ticket limited to 2
sessions; `no-ticket-token` holds none; `host-token` administers the event.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from accelevents_mock.contract import cases
from accelevents_mock.contract.cases import SessionCase
from accelevents_mock.domain.clock import parse_instant
from accelevents_mock.domain.models import (
    Event,
    EventTicket,
    Session,
    SessionFormat,
    Speaker,
    StreamSettings,
    Tag,
    TicketType,
    Track,
    User,
    World,
)
from accelevents_mock.recording.file import RECORDING_FILE
from accelevents_mock.world import RecordingError

EVENT_ID = 1
FALLBACK_TICKET_TYPE = 1  # when the recording names no ticket type


def _sessions_shown(recording: dict) -> dict[int, dict]:
    """Every session body the recording holds, later (richer) bodies winning."""
    shown: dict[int, dict] = {}
    for exchange in recording["exchanges"]:
        body, op = exchange["body"], exchange["operation"]
        if exchange["status"] != 200 or body is None:
            continue
        items = body.get("data", []) if op in ("listSessions", "getRegisteredSessions") else [body]
        for item in items:
            if isinstance(item, dict) and "sessionId" in item:
                shown[item["sessionId"]] = {**shown.get(item["sessionId"], {}), **item}
    return shown


class _Builder:
    def __init__(self, recording: dict) -> None:
        self.recording = recording
        self.world = World(seed=0, anchor=datetime.now(UTC))
        self._next_id = 9_000_000  # ids of what we add, clear of recorded ids

    def new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def user(self, user_id: int, first: str, last: str, email: str = "", token: str = "") -> User:
        if user_id not in self.world.users:
            self.world.users[user_id] = User(user_id, first or "", last or "",
                                             email or f"user{user_id}@example.com", "",
                                             token or f"recorded-{user_id}")
        return self.world.users[user_id]

    def session(self, body: dict) -> Session:
        w = self.world
        for sp in body.get("speakerList") or []:
            self.user(sp["userId"], sp.get("firstName"), sp.get("lastName"), sp.get("email"))
            w.speakers[sp["speakerId"]] = Speaker(sp["speakerId"], sp["userId"],
                                                  float(sp.get("position") or 0),
                                                  bool(sp.get("moderator")))
        for t in body.get("tracks") or []:
            w.tracks[t["id"]] = Track(t["id"], t["name"], t.get("color") or "#000000",
                                      float(t.get("position") or 0), t.get("description"))
        for t in body.get("tags") or []:
            w.tags[t["id"]] = Tag(t["id"], t["name"])
        ticket_types = tuple(body.get("ticketTypesThatCanBeRegistered") or ())
        for tt in ticket_types:
            w.ticket_types.setdefault(tt, TicketType(tt, EVENT_ID, f"Ticket type {tt}"))
        stream = None
        if body.get("streamProvider"):
            stream = StreamSettings(body["streamProvider"], body.get("subStreamProvider"),
                                    body.get("streamUrl"), body.get("streamKey"),
                                    body.get("rtmpUrl"), bool(body.get("accelEventsStudio")),
                                    body.get("playBackRestrictionToken"),
                                    body.get("thumbnailRestrictionToken"))
        stats = body.get("sessionStats") or {}
        return Session(
            id=body["sessionId"], event_id=EVENT_ID, title=body["title"],
            format=SessionFormat(body["format"]), start=parse_instant(body["startTime"]),
            end=parse_instant(body["endTime"]), capacity=int(body.get("capacity") or 0),
            status=body.get("status") or "VISIBLE", description=body.get("description"),
            location=body.get("location"),
            hide_from_attendees=bool(body.get("hideSessionFromAttendees")),
            visibility_type=body.get("sessionVisibilityType") or "PUBLIC",
            allowed_minutes_to_join_late=int(body.get("allowedMinutesToJoinLate") or 0),
            speaker_ids=tuple(sp["speakerId"] for sp in body.get("speakerList") or []),
            track_ids=tuple(t["id"] for t in body.get("tracks") or []),
            tag_ids=tuple(t["id"] for t in body.get("tags") or []),
            ticket_type_ids=ticket_types, stream=stream,
            enable_chat=body.get("enableChat", True), enable_poll=body.get("enablePoll", True),
            enable_qna=body.get("enableQuesAndAns", True),
            record_session=body.get("recordSession", True),
            hide_video_controls=body.get("hideVideoControls", False),
            position=float(body.get("position") or 1000.0),
            interested_count=int(stats.get("interestedUserCount") or 0),
        )

    def named_users(self, event: Event) -> None:
        w, tokens = self.world, cases.TOKENS
        types = sorted(w.ticket_types) or [FALLBACK_TICKET_TYPE]
        w.ticket_types.setdefault(FALLBACK_TICKET_TYPE, TicketType(FALLBACK_TICKET_TYPE, EVENT_ID,
                                                                   "General Admission"))
        limited = TicketType(self.new_id(), EVENT_ID, "Limited Pass", cases.LIMITED_PASS_SESSIONS)
        w.ticket_types[limited.id] = limited
        for role in ("attendee", "networker", "speaker", "excluded_attendee"):
            user = self.user(self.new_id(), role.replace("_", " ").title(), "Recorded",
                             token=tokens[role])
            for tt in (types if role != "excluded_attendee" else [FALLBACK_TICKET_TYPE]):
                ticket = EventTicket(self.new_id(), EVENT_ID, user.id, tt)
                w.tickets[ticket.id] = ticket
        limited_user = self.user(self.new_id(), "Limited", "Recorded",
                                 token=tokens["limited_attendee"])
        ticket = EventTicket(self.new_id(), EVENT_ID, limited_user.id, limited.id)
        w.tickets[ticket.id] = ticket
        self.user(self.new_id(), "No", "Ticket", token=tokens["no_ticket"])

    def holders(self, shown: dict[int, dict]) -> None:
        """Registrants the host's analytics showed become users with tickets and registrations."""
        w = self.world
        for session_id, body in shown.items():
            for h in body.get("registerdHolderUsers") or []:
                self.user(h["userId"], h.get("firstName"), h.get("lastName"), h.get("email"))
                ticket_type = next(iter(w.sessions[session_id].ticket_type_ids),
                                   FALLBACK_TICKET_TYPE)
                w.tickets.setdefault(h["eventTicketId"], EventTicket(
                    h["eventTicketId"], EVENT_ID, h["userId"], ticket_type))
                w.initial_registrations.append((session_id, h["userId"], h["eventTicketId"]))

    def build(self) -> World:
        w = self.world
        shown = _sessions_shown(self.recording)
        for body in shown.values():
            session = self.session(body)
            w.sessions[session.id] = session
        host = self.user(self.new_id(), "Host", "Recorded", token=cases.TOKENS["host"])
        event = Event(EVENT_ID, self.recording["meta"]["eventurl"], "Recorded event", (host.id,))
        w.events[event.url] = event
        self.named_users(event)
        self.holders(shown)
        by_format: dict[SessionFormat, int] = {}
        for session in sorted(w.sessions.values(), key=lambda s: s.id):
            by_format.setdefault(session.format, session.id)
        w.cases.update({
            "recorded_from": self.recording["meta"].get("target"),
            SessionCase.WORKSHOP.key: by_format.get(SessionFormat.WORKSHOP),
            SessionCase.NETWORKING.key: by_format.get(SessionFormat.MEET_UP),
            "unknown_token": cases.UNKNOWN_TOKEN,
        })
        if w.sessions:
            w.anchor = min(s.start for s in w.sessions.values())
        return w.index()


MADE_BY = "a folder written by `accelevents-mock record` (or --proxy-record)"


def load_recording(directory: Path) -> dict:
    """The recording in `directory`, its outline checked; RecordingError otherwise."""
    if not directory.is_dir():
        raise RecordingError(f"{directory} is not a folder; give {MADE_BY}")
    path = directory / RECORDING_FILE
    try:
        recording = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RecordingError(f"{directory} holds no {RECORDING_FILE}; give {MADE_BY}") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise RecordingError(f"{path} is not readable JSON ({type(exc).__name__}); give "
                             f"{MADE_BY}") from None
    meta = recording.get("meta") if isinstance(recording, dict) else None
    if not (isinstance(meta, dict) and isinstance(meta.get("eventurl"), str)
            and isinstance(recording.get("exchanges"), list)):
        raise RecordingError(f"{path} is not a recording: it needs meta.eventurl and a list of "
                             f"exchanges, as {MADE_BY} has")
    return recording


def build_recorded_world(directory: Path) -> World:
    """The world a recording describes (see the module's docstring for what is added);
    RecordingError, naming the file, if it does not describe one."""
    recording = load_recording(directory)
    try:
        return _Builder(recording).build()
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise RecordingError(f"{directory / RECORDING_FILE} is not a recording this mock can "
                             f"serve: {type(exc).__name__} {exc} in its exchanges; record it "
                             f"again with `accelevents-mock record`") from exc
