"""Response shapes: turn world facts plus store state into the documents' JSON attributes.

Spellings follow the documents exactly, typos included (`registerdHolderUsers`,
`exihiborList`, `matTimeDate`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass

import orjson

from accelevents_mock.domain import chime
from accelevents_mock.domain.bodies import (
    ChimeAttendeeBody,
    ChimeMeetingBody,
    HolderBody,
    JoinBody,
    MatchBody,
    SessionBody,
    SessionPageBody,
    SessionStatsBody,
    SpeakerBody,
    SponsorBody,
    TrackBody,
)
from accelevents_mock.domain.clock import format_time
from accelevents_mock.domain.models import Session, Speaker, User, World
from accelevents_mock.domain.records import Match, Registration
from accelevents_mock.domain.store import Store

# Values of `expand`, compared case-insensitively; aliases name the same part.
EXPAND_ALIASES = {
    "stats": "stats", "sessionstats": "stats",
    "duration": "duration",
    "attendeecount": "attendeeCount",
    "registerdholderusers": "registerdHolderUsers", "registeredholderusers": "registerdHolderUsers",
    "speaker": "speaker", "speakers": "speaker", "speakerlist": "speaker",
}


@functools.lru_cache(maxsize=256)  # a handful of spellings in practice; any string is a key
def parse_expand(expand: str | None) -> frozenset[str]:
    """Comma-separated `expand`; unknown names are ignored, as the real API does."""
    if not expand:
        return frozenset()
    names = (part.strip().lower() for part in expand.split(","))
    return frozenset(EXPAND_ALIASES[n] for n in names if n in EXPAND_ALIASES)


@dataclass(slots=True)  # not frozen: a dict-view list builds one per session (4× the cost)
class Viewer:
    """Who is asking, which decides what a session shows."""

    user: User
    is_host: bool
    registration: Registration | None = None


def speaker_view(world: World, speaker: Speaker) -> SpeakerBody:
    user = world.users[speaker.user_id]
    return {
        "speakerId": speaker.id, "title": user.title, "pronouns": user.pronouns,
        "firstName": user.first_name, "lastName": user.last_name, "email": user.email,
        "sessionDTO": None, "userId": user.id, "imageUrl": user.image_url,
        "company": user.company, "bio": user.bio, "linkedIn": user.linkedin,
        "twitter": user.twitter, "instagram": user.instagram, "position": speaker.position,
        "moderator": speaker.moderator, "ticketTypesForSpeaker": None,
        "allowAttendeeAccess": False, "loggedInAtVEH": False, "showModerator": speaker.moderator,
        "deviceChecked": False, "allowOverrideDetails": False,
    }


def speaker_list(world: World, session: Session) -> list[dict] | None:
    # The samples show null, not [], for a session without speakers.
    speakers = [speaker_view(world, world.speakers[i]) for i in session.speaker_ids]
    return speakers or None


def holder_view(world: World, registration: Registration) -> HolderBody:
    user = world.users[registration.user_id]
    return {
        "eventTicketId": registration.ticket_id, "userId": user.id,
        "firstName": user.first_name, "lastName": user.last_name, "email": user.email,
        "phoneNumber": user.phone, "attended": registration.attended,
        "registrationDate": format_time(registration.registered_at),
        "engagement": 0,
    }


def session_stats(session: Session, registered: int, attended: int) -> SessionStatsBody:
    """The stats of a session with `registered` registrations, `attended` of them attended
    (`Store.attendance`)."""
    return {
        "id": session.id,
        "registeredUserCount": registered,
        "interestedUserCount": session.interested_count,
        "attendeeCount": attended,
        "sessionSpeakerCount": len(session.speaker_ids),
    }


def duration_minutes(session: Session) -> int:
    return int((session.end - session.start).total_seconds() // 60)


# The keys of a session's view that depend on the caller, `expand` or the store
# (`_per_call`); every other key is a fact of the world.
PER_CALL_KEYS = ("sessionStats", "registerdHolderUsers", "currentUserRegisteredEventTicketId",
                 "duration", "streamUrl", "streamKey", "rtmpUrl", "playBackRestrictionToken")


def session_view(world: World, store: Store, session: Session, viewer: Viewer,
                 expand: frozenset[str]) -> SessionBody:
    """One session as attendees and hosts see it (the regular-session sample's attributes).

    The parts that only depend on the world's immutable facts are built once per session
    (`_static_session_view`); only what depends on the caller, `expand` and the store is filled
    in per call. Nested values are shared between calls, so callers must not mutate them."""
    body = _static_session_view(world, session).copy()  # keeps the documents' key order
    body.update(_per_call(world, store, session, viewer.is_host, viewer.registration,
                          expand))  # keys the static view has: the same order
    return body


def session_json(world: World, store: Store, session: Session, viewer: Viewer,
                 expand: frozenset[str]) -> orjson.Fragment:
    """`session_view` already encoded (the bytes its dict encodes to), as the handlers send it:
    the world's facts are encoded once per session, only `_per_call`'s values per call."""
    return orjson.Fragment(_template(world, session).fill(
        _per_call(world, store, session, viewer.is_host, viewer.registration, expand)))


def sessions_json(world: World, store: Store, sessions: list[Session], user: User,
                  is_host: bool, expand: frozenset[str]) -> orjson.Fragment:
    """The JSON array of `session_json` of each of `sessions` as `user` sees it (a page's
    items), joined once: a listed session costs about 2 µs, so what they share is looked up
    once and no session is joined on its own."""
    templates = _templates(world)
    user_id = user.id
    pieces = [b"["]
    for session in sessions:
        template = templates.get(session.id) or _template(world, session)
        registration = store.registration(session.id, user_id)
        template.into(pieces, _per_call(world, store, session, is_host, registration, expand))
        pieces.append(b",")
    if sessions:
        pieces.pop()  # the last comma
    pieces.append(b"]")
    return orjson.Fragment(b"".join(pieces))


def _per_call(world: World, store: Store, session: Session, is_host: bool,
              registration: Registration | None, expand: frozenset[str]) -> dict[str, object]:
    """What `session_view` shows besides the static view, for a caller who is a host or not
    and holds `registration` or not: keys of PER_CALL_KEYS only."""
    changes: dict[str, object] = {}
    stream = session.stream
    if "stats" in expand:
        changes["sessionStats"] = session_stats(session, *store.attendance(session.id))
    if is_host and "registerdHolderUsers" in expand:
        changes["registerdHolderUsers"] = [holder_view(world, r)
                                           for r in store.session_registrations(session.id)]
    if registration is not None:
        changes["currentUserRegisteredEventTicketId"] = [registration.ticket_id]
    if "duration" in expand:
        changes["duration"] = duration_minutes(session)
    # Stream secrets are for people who may watch: registered attendees and hosts.
    if stream is not None and (is_host or registration is not None):
        changes["streamUrl"], changes["streamKey"] = stream.url, stream.key
        changes["rtmpUrl"], changes["playBackRestrictionToken"] = (stream.rtmp_url,
                                                                   stream.playback_token)
    return changes


@dataclass(frozen=True, slots=True)
class _Template:
    """A session's static view as JSON, cut before each value of PER_CALL_KEYS: `parts` holds
    the text between those values and, at `slots[key]`, the static view's own value."""

    parts: tuple[bytes, ...]
    slots: dict[str, int]
    whole: bytes  # the parts joined: the static view's JSON

    def fill(self, changes: dict[str, object]) -> bytes:
        """The session's JSON with `changes` (values of PER_CALL_KEYS) in place."""
        return b"".join(self.into([], changes)) if changes else self.whole

    def into(self, pieces: list[bytes], changes: dict[str, object]) -> list[bytes]:
        """`fill`'s pieces added to `pieces` (to be joined with more)."""
        base = len(pieces)
        pieces += self.parts
        for key, value in changes.items():
            pieces[base + self.slots[key]] = orjson.dumps(value)
        return pieces


def _templates(world: World) -> dict[int, _Template]:
    """The sessions' templates built so far, by session id."""
    return world.cache.setdefault("session_template", {})


def _template(world: World, session: Session) -> _Template:
    built = _templates(world)
    template = built.get(session.id)
    if template is None:
        template = built[session.id] = _cut(_static_session_view(world, session))
    return template


def _cut(body: SessionBody) -> _Template:
    """`body`'s JSON (as orjson writes a dict: compact, in key order), cut at PER_CALL_KEYS."""
    parts: list[bytes] = []
    slots: dict[str, int] = {}
    text = b"{"
    for i, (key, value) in enumerate(body.items()):
        text += (b"," if i else b"") + orjson.dumps(key) + b":"
        if key in PER_CALL_KEYS:
            slots[key] = len(parts) + 1
            parts += [text, orjson.dumps(value)]
            text = b""
        else:
            text += orjson.dumps(value)
    parts.append(text + b"}")
    return _Template(tuple(parts), slots, b"".join(parts))


def _static_session_view(world: World, session: Session) -> SessionBody:
    """`session_view` for a caller who may not watch, without `expand`: the same for everyone,
    so built once per session of the world and kept in `world.cache`."""
    built = world.cache.setdefault("session_view", {})
    if session.id in built:
        return built[session.id]
    stream = session.stream
    body = {
        "sessionId": session.id, "title": session.title,
        "startTime": format_time(session.start), "endTime": format_time(session.end),
        "location": session.location, "description": session.description,
        "capacity": session.capacity, "status": session.status, "format": str(session.format),
        "speakerList": speaker_list(world, session),
        "sponsorList": [sponsor_view(world, i) for i in session.sponsor_ids],
        "sessionStats": None,
        "registerdHolderUsers": None,
        "currentUserRegisteredEventTicketId": None,
        "purchaserUserRegisteredEventTicketId": None,
        "duration": None,
        "enableChat": session.enable_chat, "enablePoll": session.enable_poll,
        "enableQuesAndAns": session.enable_qna,
        "hideSessionFromAttendees": session.hide_from_attendees,
        "enableVirtualization": False,
        "tags": [{"id": i, "name": world.tags[i].name} for i in session.tag_ids],
        "tracks": [track_view(world, i) for i in session.track_ids],
        "ticketTypesThatCanBeRegistered": list(session.ticket_type_ids),
        "streamProvider": stream.provider if stream else None,
        "subStreamProvider": stream.sub_provider if stream else None,
        "streamUrl": None,
        "streamKey": None,
        "rtmpUrl": None,
        "accelEventsStudio": bool(stream and stream.accel_events_studio),
        "directVideoAutoStart": False, "assetList": None, "displayDonation": False,
        "closedCaptionUrl": None, "closedCaptionHeight": 150, "meetingPassword": None,
        "documentKeyValue": [], "linkKeyValue": [],
        "sessionVisibilityType": session.visibility_type, "subTitleFileUrl": None,
        "hideVideoControls": session.hide_video_controls,
        "recordSession": session.record_session, "position": session.position,
        "allowedMinutesToJoinLate": session.allowed_minutes_to_join_late,
        "enableAttendeeList": True,
        "playBackRestrictionToken": None,
        "thumbnailRestrictionToken": stream.thumbnail_token if stream else None,
        "postSessionCallToActionJson": {
            "enablePostSessionCallToAction": False, "destinationType": None,
            "description": None, "buttonLabelText": None, "destination": None,
        },
        "chimeConfig": None, "qnAPrivate": True, "exihiborList": [],
    }
    built[session.id] = body
    return body


def track_view(world: World, track_id: int) -> TrackBody:
    t = world.tracks[track_id]
    return {"id": t.id, "name": t.name, "color": t.color, "description": t.description,
            "position": t.position}


def sponsor_view(world: World, sponsor_id: int) -> SponsorBody:
    s = world.sponsors[sponsor_id]
    return {"id": s.id, "name": s.name, "logoUrl": s.logo_url, "website": s.website}


def page_view(items: Iterable[SessionBody] | orjson.Fragment, total: int, filtered: int, *,
              past: bool | None = None, upcoming: bool | None = None) -> SessionPageBody:
    """A page of sessions; `items` as dicts, or already encoded (`sessions_json`)."""
    data = items if isinstance(items, orjson.Fragment) else list(items)
    body: dict = {"recordsTotal": total, "recordsFiltered": filtered, "data": data,
                  "error": None}
    if past is not None:
        body["pastSession"] = past
        body["upComingSession"] = upcoming
    return body


def join_view(world: World, store: Store, session: Session, viewer: Viewer,
              meeting: ChimeMeetingBody, attendee: ChimeAttendeeBody) -> JoinBody:
    """The "Join Session" document's attributes."""
    event = world.event_by_id(session.event_id)
    registration = viewer.registration
    speakers = [world.speakers[i] for i in session.speaker_ids]
    return {
        "sessionId": session.id, "title": session.title,
        "startTime": format_time(session.start), "endTime": format_time(session.end),
        "description": session.description, "capacity": session.capacity,
        "status": session.status, "format": str(session.format),
        "duration": duration_minutes(session),
        "chatEnabled": session.enable_chat, "pollEnabled": session.enable_poll,
        "quesAndAnsEnabled": session.enable_qna,
        "hideSessionFromAttendees": session.hide_from_attendees,
        "currentUserRegisteredEventTicketId": [registration.ticket_id] if registration else None,
        "purchaserUserRegisteredEventTicketId": None,
        "registerdHolderUsers": None,
        "sessionStats": session_stats(session, *store.attendance(session.id)),
        "speakerList": speaker_list(world, session),
        "sponsorList": [sponsor_view(world, i) for i in session.sponsor_ids],
        "speakersOrModeratorsUserIds": [s.user_id for s in speakers],
        "eventAdmins": list(event.admin_user_ids),
        "meeting": meeting, "attendee": attendee,
    }


def match_view(world: World, match: Match) -> MatchBody:
    """A networking match as "Get all matched users" documents it, plus the pair's meeting."""
    other, me = world.users[match.other_id], world.users[match.user_id]
    return {
        "userIdOfMatch": other.id, "fullName": other.full_name, "profileImage": other.image_url,
        "matTimeDate": format_time(match.matched_at), "title": other.title,
        "company": other.company, "sessionId": match.session_id, "matchStarted": True,
        "meeting": chime.meeting(world.seed, match.meeting_key,
                                 match.meeting_key.replace(":", "-")),
        "attendee": chime.attendee(world.seed, match.meeting_key, me.id, me.full_name),
    }
