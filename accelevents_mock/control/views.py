"""What the control API shows, read-only: the world summary, the scenarios, a snapshot, the
faults. Bodies as the control API's own spec (accelevents_mock/control/openapi.yaml) describes."""

from __future__ import annotations

from typing import TypedDict

from accelevents_mock.contract import cases, catalogue
from accelevents_mock.control.parsing import ControlBody
from accelevents_mock.domain import rules
from accelevents_mock.domain.clock import format_time
from accelevents_mock.domain.models import Event, World
from accelevents_mock.runtime.state import MockState
from accelevents_mock.steering import faults

WorldSummary = ControlBody  # GET /__mock/world: the event, named cases and tokens, sessions, users


class SessionCounts(TypedDict):
    sessions: int
    listedToAttendees: int


def role_of(state: MockState, user_id: int) -> str:
    world = state.world
    if any(user_id in e.admin_user_ids for e in world.events.values()):
        return "host"
    if any(s.user_id == user_id for s in world.speakers.values()):
        return "speaker"
    return "attendee"


def world_summary(state: MockState, limit: int | None = None) -> WorldSummary:
    world, store, now = state.world, state.store, state.clock.now()
    events_by_id = {e.id: e for e in world.events.values()}
    token_roles = {token: role for role, token in cases.TOKENS.items()}
    sessions = sorted(world.sessions.values(), key=lambda s: s.id)[:limit]
    return {
        "seed": world.seed,
        "clock": state.clock.snapshot(),
        "events": [{"eventurl": e.url, "eventId": e.id, "name": e.name,
                    "adminUserIds": list(e.admin_user_ids), **session_counts(world, e)}
                   for e in world.events.values()],
        "users": [{
            "userId": u.id, "name": u.full_name, "email": u.email, "role": role_of(state, u.id),
            "case": token_roles.get(u.token), "token": u.token,
            "tickets": [{"eventTicketId": t.id, "eventurl": events_by_id[t.event_id].url,
                         "ticketType": world.ticket_types[t.ticket_type_id].name,
                         "sessionsPermitted": world.ticket_types[t.ticket_type_id].sessions_permitted}
                        for t in world.tickets.values() if t.user_id == u.id],
        } for u in world.users.values()],
        "sessions": [{
            "sessionId": s.id, "eventurl": events_by_id[s.event_id].url, "title": s.title,
            "format": str(s.format), "phase": rules.phase(s, now), "status": s.status,
            "hideSessionFromAttendees": s.hide_from_attendees,
            "startTime": format_time(s.start), "endTime": format_time(s.end),
            "capacity": s.capacity, "registrations": store.registration_count(s.id),
            "ticketTypesThatCanBeRegistered": list(s.ticket_type_ids),
            "allowedMinutesToJoinLate": s.allowed_minutes_to_join_late,
        } for s in sessions],
        "cases": {**world.cases, "tokens": {**cases.TOKENS, "unknown": cases.UNKNOWN_TOKEN},
                  "eventurl": next(iter(world.events)),
                  "otherEventurl": cases.OTHER_EVENT_URL if cases.OTHER_EVENT_URL in world.events
                  else None},
    }


def session_counts(world: World, event: Event) -> SessionCounts:
    """An event's sessions: every one (the panel's table, GET /__mock/world) and those an
    attendee's list shows (its recordsTotal: hidden sessions are left out)."""
    sessions = world.sessions_by_event.get(event.id, [])
    return {"sessions": len(sessions),
            "listedToAttendees": sum(rules.visible_to_attendees(s) for s in sessions)}


def counts_line(world: World) -> str:
    """The sessions of every event, in the words the panel's badge uses too (panel.js)."""
    return " · ".join(f"{e.url} {counts['sessions']} sessions ({counts['listedToAttendees']} "
                      f"listed to attendees)"
                      for e in world.events.values() for counts in [session_counts(world, e)])


def scenarios_view() -> list[ControlBody]:
    return [{"scenario": c.scenario, "status": c.status, "errorCode": c.code,
             "errorMessage": c.message, "operations": list(c.operations),
             "documentedIn": c.url, "inferred": c.inferred} for c in catalogue.CATALOGUE]


def snapshot(state: MockState) -> ControlBody:
    return {"seed": state.config.seed, "sessions": state.config.sessions,
            "attendees": state.config.attendees, "anchor": state.world.anchor.isoformat(),
            "clock": state.clock.snapshot(), "store": state.store.snapshot()}


def faults_view(state: MockState) -> ControlBody:
    lo, hi = state.controls.latency_ms
    return {"latencyMs": f"{lo}-{hi}", "faults": state.controls.faults, "available": list(faults.FAULTS)}
