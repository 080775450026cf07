"""What the control API changes: the world (restore a snapshot), the clock, faults and latency.
Each runs inside `MockState.transact`, so every worker sees the change."""

from __future__ import annotations

from datetime import timedelta

from accelevents_mock.control.parsing import ControlError, flag, whole_number, world_size
from accelevents_mock.domain.clock import INSTANT_FORMATS, parse_instant
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
    frozen = flag(body, "frozen")
    try:
        if "now" in body:
            if not isinstance(body["now"], str):
                raise ValueError(f"now must be a string: {INSTANT_FORMATS}")
            state.clock.set(parse_instant(body["now"]), freeze=frozen)
        elif frozen is not None:
            state.clock.set(state.clock.now(), freeze=frozen)
        if "advanceMinutes" in body:
            minutes = body["advanceMinutes"]
            if isinstance(minutes, bool) or not isinstance(minutes, int | float):
                raise ValueError(f"advanceMinutes must be a number of minutes, not {minutes!r:.40}")
            state.clock.advance(timedelta(minutes=minutes))
    except (TypeError, ValueError, OverflowError) as exc:
        raise ControlError(f"bad clock request: {exc}") from exc


def set_faults(state: MockState, body: dict) -> None:
    try:
        if "latencyMs" in body:
            latency = body["latencyMs"]
            if isinstance(latency, bool) or not isinstance(latency, str | int):
                raise ValueError(f"latencyMs must be MS or LO-HI, not {latency!r:.40}")
            state.controls.latency_ms = faults.parse_range(str(latency))
        if "faults" in body:
            wanted = body["faults"]
            if not isinstance(wanted, dict):
                raise ValueError("faults must be an object of operationId (or '*') to a fault: "
                                 f"one of {', '.join(faults.FAULTS)}, or null to clear it")
            state.controls.faults = faults.fault_map({op: name for op, name in wanted.items() if name})
    except (TypeError, ValueError, OverflowError) as exc:
        raise ControlError(str(exc)) from exc
