"""The mock's operations as plain Python: one method per operationId, no web framework.

Each method reads as a straight line: who is asking → which event → which session → the rule
→ the store → the response shape.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import orjson

from accelevents_mock.contract.catalogue import ApiError, Scenario
from accelevents_mock.domain import chime, networking, rules, views
from accelevents_mock.domain.bodies import JoinBody, MatchBody, SessionBody, SessionPageBody
from accelevents_mock.domain.clock import MockClock, format_time
from accelevents_mock.domain.models import (
    AttendeeStatus,
    Event,
    Session,
    SessionFormat,
    User,
    World,
)
from accelevents_mock.domain.records import Registration
from accelevents_mock.domain.store import Store

MAX_CACHED_QUERIES = 1024  # filter combinations whose matching sessions are kept
# Sessions a list's filters keep, with the first instant one has ENDED and the last start.
Matching = tuple[list[Session], datetime | None, datetime | None]


def _with_bounds(sessions: list[Session]) -> Matching:
    if not sessions:
        return sessions, None, None
    return sessions, min(rules.ends_at(s) for s in sessions), max(s.start for s in sessions)


@dataclass(slots=True)  # not frozen: built per list call, and frozen costs 3× that
class ListQuery:
    page: int = 0
    size: int = 10
    past: bool | None = None
    session_format: str | None = None
    status: str | None = None
    search: str | None = None
    track_ids: frozenset[int] = frozenset()
    tag_ids: frozenset[int] = frozenset()
    ticket_id: int | None = None
    expand: frozenset[str] = frozenset()
    filter_date: str | None = None  # YYYY/MM/DD


class MockService:
    def __init__(self, world: World, store: Store, clock: MockClock,
                 on_match: Callable[[int, dict], None] = lambda user_id, notice: None) -> None:
        self.world = world
        self.store = store
        self.clock = clock
        self.on_match = on_match  # told (user id, notice) for each side of a new match

    # -- who and where ----------------------------------------------------------------------
    def authenticate(self, token: str | None) -> User:
        user = self.world.users_by_token.get(token or "")
        if user is None:
            raise ApiError(Scenario.NOT_AUTHORIZED, "missing token" if not token else "unknown token")
        return user

    def event(self, eventurl: str) -> Event:
        event = self.world.events.get(eventurl)
        if event is None:
            raise ApiError(Scenario.EVENT_NOT_FOUND, f"no event with eventurl {eventurl!r}")
        return event

    def host_event(self, eventurl: str, user: User) -> Event:
        event = self.event(eventurl)
        if not self.world.is_host(event, user):
            raise ApiError(Scenario.NOT_EVENT_HOST, f"user {user.id} is not an admin of {eventurl}")
        return event

    def session(self, event: Event, session_id: int, *, as_host: bool = False) -> Session:
        session = self.world.sessions.get(session_id)
        if session is None or session.event_id != event.id or not (
            as_host or rules.visible_to_attendees(session)
        ):
            raise ApiError(Scenario.SESSION_NOT_FOUND, f"no session {session_id} in this event")
        return session

    def viewer(self, event: Event, user: User, session: Session | None = None) -> views.Viewer:
        registration = self.store.registration(session.id, user.id) if session else None
        return views.Viewer(user, self.world.is_host(event, user), registration)

    # -- listing ----------------------------------------------------------------------------
    # With `as_json` (here and in get_session), sessions come already encoded
    # (views.session_json: the bytes their views encode to), which is what the HTTP handlers
    # send; without, as dicts.
    def list_sessions(self, eventurl: str, user: User, query: ListQuery, *,
                      as_json: bool = False) -> SessionPageBody:
        event = self.event(eventurl)
        is_host = self.world.is_host(event, user)
        return self._page(event, user, self._visible(event, is_host), query, with_flags=True,
                          facts_key=(event.id, is_host), as_json=as_json)

    def registered_sessions(self, eventurl: str, user: User, query: ListQuery, *,
                            as_json: bool = False) -> SessionPageBody:
        event = self.event(eventurl)
        mine = {r.session_id for r in self.store.user_registrations(event.id, user.id)}
        candidates = [s for s in self.world.sessions_by_event.get(event.id, []) if s.id in mine]
        return self._page(event, user, candidates, query, with_flags=False, as_json=as_json)

    def _visible(self, event: Event, is_host: bool) -> list[Session]:
        """The event's sessions a host or an attendee may list, worked out once per world (its
        facts never change) so that listing a page does not walk the whole world."""
        visible = self.world.cache.setdefault("visible", {})
        key = (event.id, is_host)
        if key not in visible:
            visible[key] = [s for s in self.world.sessions_by_event.get(event.id, [])
                            if is_host or rules.visible_to_attendees(s)]
        return visible[key]

    def _page(self, event: Event, user: User, candidates: list[Session], query: ListQuery,
              *, with_flags: bool, facts_key: tuple[object, ...] | None = None,
              as_json: bool = False) -> SessionPageBody:
        now = self.clock.now()
        matching, min_end, max_start = self._matching(candidates, user, query, now, facts_key)
        start = query.page * query.size
        shown = matching[start:start + query.size]
        is_host = self.world.is_host(event, user)
        items = (views.sessions_json(self.world, self.store, shown, user, is_host, query.expand)
                 if as_json else
                 [views.session_view(self.world, self.store, s,
                                     views.Viewer(user, is_host, self.store.registration(s.id, user.id)),
                                     query.expand) for s in shown])
        if not with_flags:
            return views.page_view(items, len(candidates), len(matching))
        past = min_end is not None and now >= min_end  # some session has ENDED
        upcoming = max_start is not None and now < max_start
        return views.page_view(items, len(candidates), len(matching),
                               past=past, upcoming=upcoming)

    def _matching(self, candidates: list[Session], user: User, query: ListQuery, now: datetime,
                  facts_key: tuple | None) -> Matching:
        """The candidates the query's filters keep. Filters on the facts alone (format, status,
        tracks, tags, date, search) give the same answer for the life of the world, so with a
        `facts_key` (naming candidates that depend on the world alone) that part is kept; the
        clock's (`past`) and the store's (`ticket_id`) filters are applied per call."""
        if facts_key is None:
            return _with_bounds([s for s in candidates if self._matches(s, user, query, now)])
        key = (*facts_key, query.session_format, query.status, query.track_ids, query.tag_ids,
               query.filter_date, query.search)
        matching = self.world.cache.setdefault("matching", {})
        if key not in matching:
            if len(matching) >= MAX_CACHED_QUERIES:
                matching.clear()  # any search string is a key: keep the cache bounded
            matching[key] = _with_bounds([s for s in candidates
                                          if self._matches_facts(s, query)])
        if query.past is None and query.ticket_id is None:
            return matching[key]
        kept = matching[key][0]
        return _with_bounds([s for s in kept if self._matches_state(s, user, query, now)])

    def _matches(self, session: Session, user: User, q: ListQuery, now: datetime) -> bool:
        return self._matches_facts(session, q) and self._matches_state(session, user, q, now)

    @staticmethod
    def _matches_facts(session: Session, q: ListQuery) -> bool:
        if q.session_format and session.format != q.session_format:
            return False
        if q.status and session.status != q.status:
            return False
        if q.track_ids and not q.track_ids.intersection(session.track_ids):
            return False
        if q.tag_ids and not q.tag_ids.intersection(session.tag_ids):
            return False
        if q.filter_date and not format_time(session.start).startswith(q.filter_date):
            return False
        if q.search:
            needle = q.search.lower()
            text = f"{session.title} {session.description or ''}".lower()
            if needle not in text:
                return False
        return True

    def _matches_state(self, session: Session, user: User, q: ListQuery, now: datetime) -> bool:
        if q.past is not None and (rules.phase(session, now) == rules.ENDED) != q.past:
            return False
        if q.ticket_id is not None:
            registration = self.store.registration(session.id, user.id)
            if registration is None or registration.ticket_id != q.ticket_id:
                return False
        return True

    # -- one session ------------------------------------------------------------------------
    def get_session(self, eventurl: str, user: User, session_id: int, expand: frozenset[str],
                    *, as_json: bool = False) -> SessionBody | orjson.Fragment:
        event = self.event(eventurl)
        session = self.session(event, session_id, as_host=self.world.is_host(event, user))
        view = views.session_json if as_json else views.session_view
        return view(self.world, self.store, session, self.viewer(event, user, session), expand)

    def host_session(self, eventurl: str, user: User, session_id: int,
                     expand: frozenset[str]) -> SessionBody:
        event = self.host_event(eventurl, user)
        session = self.session(event, session_id, as_host=True)
        return views.session_view(self.world, self.store, session,
                                  self.viewer(event, user, session), expand)

    def session_analytics(self, eventurl: str, user: User, session_id: int,
                          expand: frozenset[str]) -> SessionBody:
        body = self.host_session(eventurl, user, session_id, expand)
        if "speaker" not in expand:
            body["speakerList"] = None
        return body

    # -- registration -----------------------------------------------------------------------
    def register(self, eventurl: str, user: User, session_id: int, *, join_session: bool = False,
                 past_join_session: bool = False, ticket_id: int | None = None) -> Registration:
        event = self.event(eventurl)
        session = self.session(event, session_id)
        existing = self.store.registration(session.id, user.id)
        if existing is not None:
            return existing  # registering twice is idempotent
        tickets = self.world.user_tickets(event.id, user.id)
        if ticket_id is not None:
            tickets = [t for t in tickets if t.id == ticket_id]
        ticket = rules.check_registration(
            session, tickets, self.world.ticket_types, self.clock.now(),
            registered=self.store.registration_count(session.id),
            held=len(self.store.user_registrations(event.id, user.id)),
            join_session=join_session, past_join_session=past_join_session,
        )
        registration = Registration(session.id, event.id, user.id, ticket.id, self.clock.now())
        self.store.add(registration)
        return registration

    def unregister(self, eventurl: str, user: User, session_id: int) -> None:
        event = self.event(eventurl)
        session = self.session(event, session_id)
        registration = self.store.registration(session.id, user.id)
        rules.check_unregistration(registration)
        self.store.remove(session.id, user.id)

    # -- workshops (Chime) ------------------------------------------------------------------
    def join_workshop(self, eventurl: str, user: User, session_id: int) -> JoinBody:
        event = self.event(eventurl)
        session = self.session(event, session_id)
        rules.require_format(session, SessionFormat.WORKSHOP)
        rules.require_event_ticket(self.world.user_tickets(event.id, user.id))
        rules.require_registration(self.store.registration(session.id, user.id), session)
        rules.require_live(session, self.clock.now())
        self.store.update(session.id, user.id, attended=True, status=AttendeeStatus.IN_MEETING)
        meeting = chime.meeting(self.world.seed, session.id)
        attendee = chime.attendee(self.world.seed, session.id, user.id, user.full_name)
        return views.join_view(self.world, self.store, session, self.viewer(event, user, session),
                               meeting, attendee)

    # -- networking -------------------------------------------------------------------------
    def networking_session(self, eventurl: str, user: User, session_id: int) -> tuple[Event, Session]:
        event = self.event(eventurl)
        session = self.session(event, session_id)
        rules.require_format(session, SessionFormat.MEET_UP)
        rules.require_event_ticket(self.world.user_tickets(event.id, user.id))
        return event, session

    def set_networking_status(self, eventurl: str, user: User, session_id: int,
                              status: AttendeeStatus) -> list[MatchBody]:
        """Record the caller's status; becoming available may match them (both are told)."""
        event, session = self.networking_session(eventurl, user, session_id)
        rules.require_registration(self.store.registration(session.id, user.id), session)
        if status is not AttendeeStatus.PAST_SESSION_CHECK_IN:
            rules.require_live(session, self.clock.now())
        changes: dict = {"status": str(status)}
        if status in (AttendeeStatus.CHECK_IN_AVAILABLE, AttendeeStatus.IN_MEETING):
            changes["attended"] = True
        self.store.update(session.id, user.id, **changes)
        made = networking.update_availability(self.store, session.id, user.id, status,
                                              self.clock.now())
        notices = [views.match_view(self.world, m) for m in made]
        for match, notice in zip(made, notices, strict=True):
            self.on_match(match.user_id, {"type": "NETWORKING_MATCH", "eventurl": event.url,
                                          "match": notice})
        return notices

    def networking_matches(self, eventurl: str, user: User, session_id: int) -> list[MatchBody]:
        _, session = self.networking_session(eventurl, user, session_id)
        rules.require_registration(self.store.registration(session.id, user.id), session)
        return [views.match_view(self.world, m) for m in self.store.matches(session.id, user.id)]
