"""The documented rules, each in one function: when a session is live, who sees it, who may
register, join, leave or set networking availability. Rules raise `ApiError` with the
catalogue's scenario name; they never shape responses.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from accelevents_mock.contract.catalogue import ApiError, Scenario
from accelevents_mock.domain.models import EventTicket, Session, SessionFormat, TicketType
from accelevents_mock.domain.records import Registration

LIVE, UPCOMING, ENDED = "live", "upcoming", "ended"


def phase(session: Session, now: datetime) -> str:
    if now < session.start:
        return UPCOMING
    return ENDED if now >= ends_at(session) else LIVE


def ends_at(session: Session) -> datetime:
    """The instant `phase` turns ENDED: the end, or the start if a session ends before it."""
    return max(session.start, session.end)


def late_join_expired(session: Session, now: datetime) -> bool:
    """`allowedMinutesToJoinLate` > 0 closes a live session to newcomers that many minutes in."""
    minutes = session.allowed_minutes_to_join_late
    return minutes > 0 and now > session.start + timedelta(minutes=minutes)


def visible_to_attendees(session: Session) -> bool:
    return session.status == "VISIBLE" and not session.hide_from_attendees


def permitted_tickets(session: Session, tickets: list[EventTicket]) -> list[EventTicket]:
    """Tickets whose type may register; an empty allow-list admits every type."""
    allowed = session.ticket_type_ids
    return [t for t in tickets if not allowed or t.ticket_type_id in allowed]


def require_event_ticket(tickets: list[EventTicket]) -> None:
    if not tickets:
        raise ApiError(Scenario.NOT_REGISTERED_FOR_EVENT, "the caller holds no ticket to this event")


def check_registration(
    session: Session,
    tickets: list[EventTicket],
    ticket_types: dict[int, TicketType],
    now: datetime,
    *,
    registered: int,
    held: int,
    join_session: bool = False,
    past_join_session: bool = False,
) -> EventTicket:
    """The "Join session" checks, in the documents' order; returns the ticket to register with.

    Order: event ticket held, capacity (406), ticket type (406), session limit (406),
    then timing (407). `registered`: the session's registrations; `held`: the caller's
    registrations in the event. `joinSession=true` books a session that is not live yet;
    `pastJoinSession=true` asks for an ended session's recording.
    """
    require_event_ticket(tickets)
    if session.capacity and registered >= session.capacity:
        raise ApiError(Scenario.CAPACITY_REACHED, f"{registered} of {session.capacity} seats taken")
    usable = permitted_tickets(session, tickets)
    if not usable:
        raise ApiError(Scenario.TICKET_NOT_PERMITTED, "allowed ticket types: "
                       + ", ".join(str(i) for i in session.ticket_type_ids))
    ticket = usable[0]
    permitted = ticket_types[ticket.ticket_type_id].sessions_permitted
    if permitted is not None and held >= permitted:
        raise ApiError(Scenario.SESSION_LIMIT_REACHED, f"already registered for {held} sessions",
                       number_of_sessions_permitted=permitted)
    check_registration_time(session, now, join_session, past_join_session)
    return ticket


def check_registration_time(session: Session, now: datetime, join_session: bool,
                            past_join_session: bool) -> None:
    current = phase(session, now)
    if current == ENDED:
        if past_join_session:
            raise ApiError(Scenario.RECORDING_UNAVAILABLE, "the caller did not watch this session live")
        raise ApiError(Scenario.TIME_LIMIT_EXPIRED, "the session has ended")
    if current == UPCOMING and not join_session:
        raise ApiError(Scenario.TIME_LIMIT_EXPIRED,
                       "the session is not live yet; send joinSession=true to book it")
    if current == LIVE and late_join_expired(session, now):
        raise ApiError(Scenario.TIME_LIMIT_EXPIRED, f"joining closed {session.allowed_minutes_to_join_late}"
                       " minutes after the start")


def check_unregistration(registration: Registration | None) -> None:
    if registration is not None and registration.attended:
        raise ApiError(Scenario.ALREADY_JOINED)


def require_format(session: Session, expected: SessionFormat) -> None:
    if session.format is not expected:
        raise ApiError(Scenario.WRONG_SESSION_FORMAT,
                       f"session {session.id} is {session.format}, not {expected}")


def require_registration(registration: Registration | None, session: Session) -> Registration:
    if registration is None:
        raise ApiError(Scenario.FORBIDDEN, f"the caller is not registered for session {session.id}")
    return registration


def require_live(session: Session, now: datetime) -> None:
    if phase(session, now) != LIVE:
        raise ApiError(Scenario.TIME_LIMIT_EXPIRED, f"the session is {phase(session, now)}")
