"""What the control API changes: the world (restore a snapshot), the clock, faults and latency.
Each runs inside `MockState.transact`, so every worker sees the change."""

from __future__ import annotations

from datetime import timedelta

from accelevents_mock.control.parsing import ControlError, whole_number, world_size
from accelevents_mock.domain.clock import parse_instant
from accelevents_mock.runtime.state import MockState
from accelevents_mock.steering import faults


def restore(state: MockState, body: dict) -> None:
    try:
        seed = whole_number(body, "seed")
        sessions = world_size(body, "sessions", None, 1)
        attendees = world_size(body, "attendees", state.config.attendees, 0)
        if seed is None or sessions is None:
            raise KeyError("seed" if seed is None else "sessions")
        state.clock.restore(body["clock"])
        state.reset(seed, sessions, parse_instant(body["anchor"]), attendees)
        state.store.restore(body["store"])
    except (KeyError, TypeError, ValueError, OverflowError) as exc:
        raise ControlError(f"not a snapshot: {exc!r}") from exc


def set_clock(state: MockState, body: dict) -> None:
    try:
        if "now" in body:
            state.clock.set(parse_instant(str(body["now"])), freeze=body.get("frozen"))
        elif "frozen" in body:
            state.clock.set(state.clock.now(), freeze=bool(body["frozen"]))
        if "advanceMinutes" in body:
            state.clock.advance(timedelta(minutes=float(body["advanceMinutes"])))
    except (TypeError, ValueError, OverflowError) as exc:
        raise ControlError(f"bad clock request: {exc}") from exc


def set_faults(state: MockState, body: dict) -> None:
    try:
        if "latencyMs" in body:
            state.controls.latency_ms = faults.parse_range(str(body["latencyMs"]))
        if "faults" in body:
            wanted = dict(body["faults"])
            state.controls.faults = faults.fault_map({op: name for op, name in wanted.items() if name})
    except (TypeError, ValueError, OverflowError) as exc:
        raise ControlError(str(exc)) from exc
