"""The API's writes as data: a name and JSON arguments, with the instant they were asked for.

Each handler that writes hands its `Ordered` change to the back end. A mock on its own runs it
at once; on a shared store every worker runs it itself, rules and all, in the order the log
gives (`store/shared.py`). So each is a plain function of the service and its arguments, with
real time read from the op (`MockClock.pin`): every copy decides alike.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from accelevents_mock.contract.catalogue import ApiError, Scenario
from accelevents_mock.domain.models import AttendeeStatus, User
from accelevents_mock.domain.service import MockService
from accelevents_mock.store.backend import ORDERED, Ordered
from accelevents_mock.store.memory import Op

Write = Callable[[MockService, User, dict[str, Any]], Any]


def _register(service: MockService, user: User, args: dict[str, Any]) -> Any:
    return service.register(args["eventurl"], user, args["sessionId"],
                            join_session=args["joinSession"],
                            past_join_session=args["pastJoinSession"],
                            ticket_id=args["ticketId"])


def _unregister(service: MockService, user: User, args: dict[str, Any]) -> Any:
    return service.unregister(args["eventurl"], user, args["sessionId"])


def _join_workshop(service: MockService, user: User, args: dict[str, Any]) -> Any:
    return service.join_workshop(args["eventurl"], user, args["sessionId"])


def _set_networking_status(service: MockService, user: User, args: dict[str, Any]) -> Any:
    return service.set_networking_status(args["eventurl"], user, args["sessionId"],
                                         AttendeeStatus(args["status"]))


WRITES: dict[str, Write] = {
    "register": _register,
    "unregister": _unregister,
    "joinWorkshop": _join_workshop,
    "setNetworkingStatus": _set_networking_status,
}


def ordered(perform: Callable[[Op], Any], name: str, user: User, **args: Any) -> Ordered:
    """The write `name` by `user`, asked for now; `perform` runs it (`MockState.perform`)."""
    return Ordered([ORDERED, name, {"userId": user.id, **args}, time.time()], perform)


def perform(service: MockService, op: Op) -> Any:
    """Run a write's op on `service`'s world as it stands, at the instant the op was asked for."""
    name, args, asked_at = op[1], op[2], op[3]
    user = service.world.users.get(args["userId"])
    if user is None:  # the world was rebuilt from another seed before this write's turn
        raise ApiError(Scenario.NOT_AUTHORIZED, "unknown token")
    clock = service.clock
    source = clock.pin(datetime.fromtimestamp(asked_at, UTC))
    try:
        return WRITES[name](service, user, args)
    finally:
        clock.unpin(source)
