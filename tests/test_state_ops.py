"""Changes as ops: what one worker records, another replays to the same state, and a change
that lost a race is taken back exactly (store/shared.py relies on both)."""

from __future__ import annotations

from accelevents_mock.config import MockConfig
from accelevents_mock.domain.models import AttendeeStatus
from accelevents_mock.runtime.state import MockState
from tests.conftest import FIXED_NOW

EVENT = "mock-event"


def new_state() -> MockState:
    """A mock whose attendee and networker are registered for the networking session."""
    state = MockState(MockConfig(clock=FIXED_NOW))
    for role in ("attendee", "networker"):
        state.service.register(EVENT, user(state, role), state.world.cases["networking_session"])
    return state


def user(state: MockState, role: str):
    from accelevents_mock.contract.cases import TOKENS

    return state.service.authenticate(TOKENS[role])


def busy_change(state: MockState) -> None:
    """Registrations, an un-registration, networking (waiting list, matches) and controls."""
    cases, service = state.world.cases, state.service
    attendee, networker = user(state, "attendee"), user(state, "networker")
    service.register(EVENT, attendee, cases["small_session"])
    service.register(EVENT, attendee, cases["open_session"])
    service.unregister(EVENT, attendee, cases["open_session"])
    for who in (attendee, networker):  # updates their registrations, waits, matches
        service.set_networking_status(EVENT, who, cases["networking_session"],
                                      AttendeeStatus.CHECK_IN_AVAILABLE)
    state.controls.force("capacity-reached", 2)
    state.controls.faults = {"getSession": "500"}


def test_replaying_the_ops_of_a_change_gives_the_same_state() -> None:
    here, there = new_state(), new_state()
    ops, _ = here.run_change(lambda: busy_change(here))
    assert {op[0] for op in ops} == {"add", "remove", "update", "set_waiting", "add_match",
                                     "controls"}
    for op in ops:
        there.apply(op)
    assert there.store.snapshot() == here.store.snapshot()
    assert there.controls.as_data() == here.controls.as_data()
    assert len(there.store.matches(here.world.cases["networking_session"],
                                   user(here, "attendee").id)) == 1


def test_a_rolled_back_change_leaves_no_trace() -> None:
    state = new_state()
    before_store, before_controls = state.store.snapshot(), state.controls.as_data()
    state.run_change(lambda: busy_change(state))
    assert state.store.snapshot() != before_store
    assert state.rollback()
    assert state.store.snapshot() == before_store
    assert state.controls.as_data() == before_controls


def test_a_reset_replays_to_the_same_world_and_cannot_be_rolled_back() -> None:
    here, there = new_state(), new_state()
    ops, _ = here.run_change(lambda: here.reset(seed=7, sessions=12, attendees=5))
    assert ops[0][0] == "reset"
    for op in ops:
        there.apply(op)
    assert there.world_params() == here.world_params()
    assert [s.title for s in there.world.sessions.values()] == \
        [s.title for s in here.world.sessions.values()]
    assert not here.rollback()


def test_changes_run_before_a_settle_are_taken_back_together() -> None:
    """A shared store commits the changes that waited for one commit together (issue 28), and
    takes them all back when that commit loses a race."""
    state = new_state()
    cases, attendee = state.world.cases, user(state, "attendee")
    before = state.store.snapshot()
    state.run_change(lambda: state.service.register(EVENT, attendee, cases["small_session"]))
    state.run_change(lambda: busy_change(state))
    assert state.rollback()
    assert state.store.snapshot() == before
    state.run_change(lambda: state.service.register(EVENT, attendee, cases["small_session"]))
    state.settle()  # committed: the next change starts another batch
    committed = state.store.snapshot()
    state.run_change(lambda: busy_change(state))
    assert state.rollback()
    assert state.store.snapshot() == committed
