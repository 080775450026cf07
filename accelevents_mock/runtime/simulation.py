"""Simulated networkers: so one frontend developer alone can see a match happen.

With `--simulate-networking SECONDS`, a real attendee left waiting in a networking session is
joined, after that many seconds, by a generated attendee who registers and checks in through
the same rules as everyone else.
"""

from __future__ import annotations

import asyncio

from accelevents_mock.contract import cases
from accelevents_mock.contract.catalogue import ApiError
from accelevents_mock.domain.models import AttendeeStatus, User
from accelevents_mock.runtime.state import MockState

NAMED_TOKENS = set(cases.TOKENS.values())


def _bots(state: MockState, event_id: int) -> list[User]:
    world = state.world
    return [u for u in world.users.values()
            if u.token not in NAMED_TOKENS and world.user_tickets(event_id, u.id)
            and not any(u.id in e.admin_user_ids for e in world.events.values())]


def _bring_a_partner(state: MockState, eventurl: str, session_id: int, waiting_user: int) -> None:
    service = state.service
    if waiting_user not in service.store.waiting(session_id):
        return  # matched meanwhile
    event = service.event(eventurl)
    for bot in _bots(state, event.id):
        if bot.id in service.store.waiting(session_id) or \
                any(m.other_id == bot.id for m in service.store.matches(session_id, waiting_user)):
            continue
        try:
            service.register(eventurl, bot, session_id)
            service.set_networking_status(eventurl, bot, session_id,
                                          AttendeeStatus.CHECK_IN_AVAILABLE)
        except ApiError:
            continue
        return


def after_availability(state: MockState, eventurl: str, session_id: int, user: User) -> None:
    """Schedule a partner for `user` if simulation is on and they are left waiting."""
    delay = state.config.simulate_networking_s
    if delay is None or user.token not in NAMED_TOKENS:
        return
    if user.id in state.store.waiting(session_id):
        task = asyncio.get_running_loop().create_task(
            _bring_a_partner_later(state, delay, eventurl, session_id, user.id))
        _PENDING.add(task)  # the loop keeps only weak references to tasks
        task.add_done_callback(_PENDING.discard)


_PENDING: set[asyncio.Task] = set()


async def _bring_a_partner_later(state: MockState, delay: float, eventurl: str, session_id: int,
                                 waiting_user: int) -> None:
    await asyncio.sleep(delay)
    await state.transact(lambda: _bring_a_partner(state, eventurl, session_id, waiting_user))
