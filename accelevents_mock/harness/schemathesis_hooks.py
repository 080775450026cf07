"""What the repository's `schemathesis.toml` loads (`hooks = ...`): importing this module
registers, in Schemathesis, the target's tokens and the data that reaches every operation (see
`schemathesis_target`). Only the config loads it: imported anywhere else, it would change every
Schemathesis run of that process.

Schemathesis reads `${VAR}` in its config file but has no default for a variable that is unset,
so the values that differ per target are read here, from the harness's own variables
(`CONTRACT_TOKEN`, `CONTRACT_HOST_TOKEN`, `CONTRACT_EVENT_URL`, `CONTRACT_TARGET_CONFIG`: see
`options.py`), with the mock's values for any unset. Nothing here is asked of the mock.
"""

from __future__ import annotations

import os
from typing import Any

import schemathesis
from schemathesis.generation import GenerationMode
from schemathesis.generation.meta import TestPhase

from accelevents_mock.contract.cases import Role
from accelevents_mock.harness.schemathesis_target import (
    EVENT_PARAMETER,
    guide_query,
    hands_over_first_item,
    point_examples_at,
    target_cases,
)

CREDENTIAL_HEADER = "Authorization"  # the scheme the API reads first (openapi.yaml, securitySchemes)
HOST_TAG = "host"  # the spec's tag of the operations only an event admin may call

CASES = target_cases(os.environ)


@schemathesis.hook
def before_load_schema(context: schemathesis.HookContext, raw_schema: dict[str, Any]) -> None:
    point_examples_at(raw_schema, CASES)


@schemathesis.hook
def map_case(context: schemathesis.HookContext, case: schemathesis.Case) -> schemathesis.Case:
    """Valid data goes to the target's event: any other slug is as valid to the schema but only
    ever answers 404, so nothing behind it is reached. In the stateful phase, a list whose link
    hands on its first session is asked as the guides' step 1 asks it: random filters and pages
    list nothing, and the link then has no session to pass on (the other phases still send
    every filter). Negative cases are left as drawn, invalid event included."""
    meta = case.meta
    if meta is None or meta.generation.mode is not GenerationMode.POSITIVE:
        return case
    if case.path_parameters and EVENT_PARAMETER in case.path_parameters and CASES.eventurl:
        case.path_parameters[EVENT_PARAMETER] = CASES.eventurl
    if meta.phase.name is TestPhase.STATEFUL and hands_over_first_item(case.operation.definition.raw):
        case.query = guide_query(case.query or {}, {parameter.name for parameter in case.operation.query})
    return case


class _Token:
    """One fixed token in the header the API reads first, so no other credential header is sent
    beside it. Fixed tokens never need a refresh, and a 401 must not fetch another."""

    role = Role.ATTENDEE

    def get(self, case: schemathesis.Case, context: schemathesis.AuthContext) -> str | None:
        return CASES.token(self.role)

    def set(self, case: schemathesis.Case, data: str, context: schemathesis.AuthContext) -> None:
        case.headers[CREDENTIAL_HEADER] = data  # a case always has its headers


@schemathesis.auth(refresh_interval=None, retry_on=[]).skip_for(tag=HOST_TAG)
class AttendeeToken(_Token):
    role = Role.ATTENDEE


@schemathesis.auth(refresh_interval=None, retry_on=[]).apply_to(tag=HOST_TAG)
class HostToken(_Token):
    role = Role.HOST
