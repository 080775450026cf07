"""One run of the harness: options, target, named cases, and the shared safety and recording
machinery every test uses. The pytest plugin and the console command both build one."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from accelevents_mock.contract import flows
from accelevents_mock.contract import spec as contract
from accelevents_mock.contract.cases import Cases, Role
from accelevents_mock.harness.cleanup import Registrations
from accelevents_mock.harness.options import Options
from accelevents_mock.harness.targets import Target, open_target, resolve_cases
from accelevents_mock.harness.tokens import TokenRefresher, sent_token
from accelevents_mock.harness.traffic import Traffic
from accelevents_mock.safety.redact import Redactor
from accelevents_mock.safety.throttle import Throttle


@dataclass
class Run:
    options: Options
    target: Target
    cases: Cases
    redactor: Redactor
    traffic: Traffic
    throttle: Throttle
    tokens: TokenRefresher
    registrations: Registrations = field(default_factory=Registrations)
    engine_runs: list[Any] = field(default_factory=list)
    started: str = field(default_factory=lambda: datetime.now(UTC).isoformat())

    def client(self, source: str = "scenario") -> httpx.Client:
        """A paced, budgeted, write-guarded client whose traffic is recorded and whose
        registrations are undone at the end."""
        client = self.target.client(traffic=self.traffic, throttle=self.throttle, source=source)

        def fresh_token(request: httpx.Request) -> None:
            fresh = self.tokens.replacement(sent_token(request.headers))
            if fresh is not None:
                request.headers["Authorization"] = fresh

        def note_registration(response: httpx.Response) -> None:
            self.registrations.observe(response.request.method, response.request.url.path,
                                       response.status_code, dict(response.request.headers))
            self.tokens.observe(sent_token(response.request.headers), response.status_code)

        client.event_hooks["request"].insert(0, fresh_token)
        client.event_hooks["response"].append(note_registration)
        return client

    def drive(self, recipe: flows.Recipe) -> list[str]:
        """Play one documented-error flow on the target; the problems found."""
        with self.client() as api, self.target.control_client() as control:
            return flows.drive(api, control, recipe, self.cases)

    def finish(self) -> None:
        """Undo what the run created; safe to call more than once."""
        if not self.registrations.outstanding:
            return
        # Cleanup deletes only what this run created, so it is allowed on a read-only target.
        client = self.target.client(traffic=self.traffic, throttle=Throttle(self.options.rate_limit),
                                    source="cleanup", allow_writes=True)
        with client:
            self.registrations.undo(client, self.target.base_path)


def start(options: Options) -> Run:
    redactor = Redactor(options.secrets())
    target = open_target(options)
    cases = resolve_cases(target)
    redactor.add(*(token for role, token in cases.tokens.items() if role != Role.UNKNOWN))
    spec = contract.load(options.spec)
    traffic = Traffic(redactor, options.spec, contract.base_path(spec))
    throttle = Throttle(options.rate_limit, options.request_budget)
    tokens = TokenRefresher(options.token_command, cases, redactor)
    return Run(options, target, cases, redactor, traffic, throttle, tokens)
