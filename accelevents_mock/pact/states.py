"""The mock as a Pact provider: the provider states its state-change URL sets up.

The Pact verifier posts `{"state", "params", "action"}` to `POST /__mock/pact/states` before
each interaction (once per state the interaction names) and reads the JSON answer as the
values its provider-state generators fill in (`${sessionId}`, `${eventurl}`).

Every state is one set of parameters (`StateParams`): a session, described by its named case
(`case`) or by what the call needed of it (`format`, `phase`, `full`), and the caller's
standing there (`role`, `registered`, `joined`, `registeredFor`). The named states are such
sets under a name, for pacts written by hand; the export writes `EXPORTED_STATE` with the
parameters of each call. The first set-up after an API call starts the world afresh (same
seed): the verifier makes one call per interaction, so each interaction starts from the
world's start, and the states of one interaction add up.
"""

from __future__ import annotations

from typing import Any

from accelevents_mock.contract import cases
from accelevents_mock.contract.cases import Role, SessionCase
from accelevents_mock.contract.catalogue import ApiError
from accelevents_mock.domain import rules
from accelevents_mock.domain.models import Session, SessionFormat, User, World
from accelevents_mock.runtime.state import MockState

StateParams = dict[str, Any]  # see the module's docstring
StateValues = dict[str, Any]  # what the generators may use: eventurl, sessionId, role

EXPORTED_STATE = "the session and caller as the call found them"
UNKNOWN = "unknown"  # the `case` of a session no world has
DEFAULT_ROLE = Role.ATTENDEE

NAMED_STATES: dict[str, StateParams] = {
    "a session with free seats": {"case": SessionCase.OPEN},
    "a full session": {"case": SessionCase.FULL},
    "an ended session": {"case": SessionCase.ENDED},
    "a session whose ticket type excludes the caller": {"case": SessionCase.RESTRICTED},
    "the caller at its ticket's session limit": {"case": SessionCase.OPEN,
                                                 "role": Role.LIMITED_ATTENDEE},
    "the caller registered for a session": {"case": SessionCase.OPEN, "registered": True},
    "the caller joined to a workshop": {"case": SessionCase.WORKSHOP, "registered": True,
                                        "joined": True},
    "an unknown session": {"case": UNKNOWN},
    EXPORTED_STATE: {},
}
KNOWN_CASES = (*(case.value for case in cases.SEEDED), UNKNOWN)


class StateError(ValueError):
    """A state this mock cannot set up: answered 400 with what it can."""


class _Phase:
    """A session's phase and seats taken, now (what `_fits` compares)."""

    def __init__(self, state: MockState) -> None:
        self.state = state

    def __call__(self, session: Session) -> str:
        return rules.phase(session, self.state.clock.now())

    def taken(self, session: Session) -> int:
        return self.state.store.registration_count(session.id)


def session_id(world: World, params: StateParams, now_phase: _Phase) -> int | None:
    """The session `params` describe in `world` (None if they name none)."""
    case = params.get("case")
    if case is not None:
        if case == UNKNOWN:
            return cases.MISSING_SESSION
        if case not in KNOWN_CASES:
            raise StateError(f"unknown case {case!r}; known: {', '.join(KNOWN_CASES)}")
        found = world.cases.get(SessionCase(case).key)
        if not isinstance(found, int):
            raise StateError(f"this world has no {case} session")
        return found
    if "format" not in params:
        return None
    for session in _candidates(world):
        if _fits(session, params, now_phase):
            return session.id
    raise StateError(f"no session in this world fits {_described(params)}")


def _candidates(world: World) -> list[Session]:
    event = world.events[cases.EVENT_URL]
    return [s for s in world.sessions_by_event.get(event.id, []) if rules.visible_to_attendees(s)]


def _fits(session: Session, params: StateParams, now_phase: _Phase) -> bool:
    wanted = {"format": str(session.format), "phase": now_phase(session),
              "full": bool(session.capacity) and now_phase.taken(session) >= session.capacity,
              "restricted": bool(session.ticket_type_ids)}
    return all(params[key] == value for key, value in wanted.items() if key in params)


def _described(params: StateParams) -> str:
    return ", ".join(f"{k}={params[k]}" for k in ("format", "phase", "full", "restricted") if k in params)


def caller(world: World, params: StateParams) -> tuple[str, User]:
    role = params.get("role") or DEFAULT_ROLE
    token = cases.TOKENS.get(role)
    user = world.users_by_token.get(token or "")
    if user is None:
        raise StateError(f"unknown role {role!r}; known: {', '.join(map(str, cases.TOKENS))}")
    return str(role), user


def stand(state: MockState, user: User, session: int, params: StateParams) -> None:
    """Register (and join) the caller where `params` say it was, or take it out."""
    service, eventurl = state.service, cases.EVENT_URL
    registered = bool(params.get("registered") or params.get("joined"))
    try:
        if registered:
            service.register(eventurl, user, session, join_session=True)
        elif state.store.registration(session, user.id) is not None:
            service.unregister(eventurl, user, session)
        if params.get("joined"):
            if state.world.sessions[session].format == SessionFormat.WORKSHOP:
                service.join_workshop(eventurl, user, session)
            else:
                state.store.update(session, user.id, attended=True)
    except ApiError as exc:
        raise StateError(f"cannot put the caller there: {exc}") from exc


def set_up(state: MockState, name: str, params: StateParams, fresh: bool) -> StateValues:
    """Set up the state `name` with `params` over its named defaults; the values it gives."""
    if name not in NAMED_STATES:
        raise StateError(f"unknown provider state {name!r}; known: {'; '.join(NAMED_STATES)}")
    params = {**NAMED_STATES[name], **params}
    if fresh:
        state.reset()
    world, phase = state.world, _Phase(state)
    role, user = caller(world, params)
    for other in params.get("registeredFor") or []:
        found = session_id(world, dict(other), phase)
        if found is not None:
            stand(state, user, found, {"registered": True, **dict(other)})
    found = session_id(world, params, phase)
    values: StateValues = {"eventurl": cases.EVENT_URL, "role": role}
    if found is not None:
        values["sessionId"] = found
        if found != cases.MISSING_SESSION and ("registered" in params or "joined" in params):
            stand(state, user, found, params)
    return values
