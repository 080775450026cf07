"""Thin Connexion handlers, one per operationId: parse → call the service → shape the response.

`Operations.endpoint(operation_id)` wraps a handler with what every operation shares:
forcing, faults, latency, the journal's notes and the documented error body for `ApiError`
(app.CaughtUp has brought the world up to date before). Handlers that write run the service call through
`state.transact`, so the rule's check and its write are one atomic step for every worker.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from connexion import request
from connexion.context import _scope as request_scope
from starlette.responses import Response

from accelevents_mock import faults, forcing, simulation
from accelevents_mock.auth import token_from_raw_headers
from accelevents_mock.contract import catalogue
from accelevents_mock.contract.catalogue import ApiError
from accelevents_mock.domain.models import AttendeeStatus, User
from accelevents_mock.domain.service import ListQuery, MockService
from accelevents_mock.domain.views import parse_expand
from accelevents_mock.http import error_response, json_response, void_response
from accelevents_mock.state import MockState

Handler = Callable[..., Awaitable[Response]]


def list_query(page: int = 0, size: int = 10, past: bool | None = None,
               sessionFormat: str | None = None, status: str | None = None,  # noqa: N803
               searchString: str | None = None, trackIds: list[int] | None = None,  # noqa: N803
               tagIds: list[int] | None = None, expand: str | None = None,  # noqa: N803
               currentUserRegisteredEventTicketId: int | None = None,  # noqa: N803
               filterDate: str | None = None) -> ListQuery:  # noqa: N803
    return ListQuery(
        page=page, size=size, past=past, session_format=sessionFormat, status=status,
        search=searchString or None, track_ids=frozenset(trackIds or ()),
        tag_ids=frozenset(tagIds or ()), ticket_id=currentUserRegisteredEventTicketId,
        expand=parse_expand(expand), filter_date=filterDate,
    )


class Operations:
    def __init__(self, state: MockState) -> None:
        self.state = state

    @property
    def service(self) -> MockService:
        return self.state.service  # looked up per call: a reset swaps the service

    def caller(self) -> User:
        # The request's headers, without building a ConnexionRequest (or Headers) around them,
        # from the context variable behind connexion.context.scope (its proxy costs a µs).
        return self.service.authenticate(token_from_raw_headers(request_scope.get()["headers"]))

    # -- sessions ---------------------------------------------------------------------------
    async def listSessions(self, eventurl: str, **query: Any) -> Response:  # noqa: N802
        user = self.caller()
        return json_response(self.service.list_sessions(eventurl, user, list_query(**query),
                                                         as_json=True))

    async def listSessionsV2(self, eventurl: str, calledFrom: str | None = None,  # noqa: N802, N803
                             showPastAndUpcoming: bool | None = None, **query: Any) -> Response:  # noqa: N803
        return await self.listSessions(eventurl, **query)

    async def getSession(self, eventurl: str, sessionId: int,  # noqa: N802, N803
                         expand: str | None = None) -> Response:
        user = self.caller()
        return json_response(self.service.get_session(eventurl, user, sessionId,
                                                      parse_expand(expand), as_json=True))

    async def getRegisteredSessions(self, eventurl: str,  # noqa: N802
                                    showPastAndUpcoming: bool | None = None,  # noqa: N803
                                    **query: Any) -> Response:
        user = self.caller()
        return json_response(self.service.registered_sessions(eventurl, user, list_query(**query),
                                                               as_json=True))

    # -- registration -----------------------------------------------------------------------
    async def registerForSession(self, eventurl: str, sessionId: int,  # noqa: N802, N803
                                 joinSession: bool = False,  # noqa: N803
                                 pastJoinSession: bool = False,  # noqa: N803
                                 eventTicketId: int | None = None) -> Response:  # noqa: N803
        user = self.caller()
        await self.state.transact(lambda: self.service.register(
            eventurl, user, sessionId, join_session=joinSession,
            past_join_session=pastJoinSession, ticket_id=eventTicketId))
        return void_response()

    async def unregisterFromSession(self, eventurl: str, sessionId: int) -> Response:  # noqa: N802, N803
        user = self.caller()
        await self.state.transact(lambda: self.service.unregister(eventurl, user, sessionId))
        return void_response()

    async def joinWorkshopSession(self, eventurl: str, id: int) -> Response:  # noqa: A002, N802
        user = self.caller()
        return json_response(await self.state.transact(
            lambda: self.service.join_workshop(eventurl, user, id)))

    # -- networking -------------------------------------------------------------------------
    async def setNetworkingAvailability(self, eventurl: str, id: int,  # noqa: A002, N802
                                        status: str) -> Response:
        user = self.caller()
        await self.state.transact(lambda: self.service.set_networking_status(
            eventurl, user, id, AttendeeStatus(status)))
        simulation.after_availability(self.state, eventurl, id, user)
        return void_response()

    async def getNetworkingMatches(self, eventurl: str, sessionId: int) -> Response:  # noqa: N802, N803
        user = self.caller()
        return json_response(self.service.networking_matches(eventurl, user, sessionId))

    # -- host -------------------------------------------------------------------------------
    async def getHostSession(self, eventurl: str, sessionId: int,  # noqa: N802, N803
                             expand: str | None = None) -> Response:
        user = self.caller()
        return json_response(self.service.host_session(eventurl, user, sessionId,
                                                       parse_expand(expand)))

    async def getSessionAnalytics(self, eventurl: str, sessionId: int,  # noqa: N802, N803
                                  expand: str | None = None) -> Response:
        user = self.caller()
        return json_response(self.service.session_analytics(eventurl, user, sessionId,
                                                            parse_expand(expand)))

    # -- what every operation shares --------------------------------------------------------
    def endpoint(self, operation_id: str) -> Handler:
        handler: Handler = getattr(self, operation_id)

        @functools.wraps(handler)  # Connexion reads the handler's own parameters through this
        async def endpoint(**params: object) -> Response:
            current = request._get_current_object()  # one context lookup, not one per use
            notes = current.scope.setdefault("mock", {})
            notes["operation"] = operation_id
            try:  # what the request steers, read and checked before any of it takes effect
                delay, forced, fault = self.steering(
                    operation_id, current.headers, current.cookies, current.query_params,
                    await self.state.claim_scenario(operation_id))
            except ValueError as exc:  # a bad X-Mock-Latency, ForcingError or unknown fault
                return error_response(catalogue.BAD_REQUEST, str(exc))
            response = await self._answer(operation_id, handler, params, notes, forced, fault)
            await faults.wait(delay)
            return response

        return endpoint

    def steering(self, operation_id: str, headers: Mapping[str, str],
                 cookies: Mapping[str, str], query: Mapping[str, str],
                 standing: str | None) -> tuple[float, forcing.Forced | None, str | None]:
        """What a call steers: (latency in seconds, a forced answer, a fault). Everything it
        reads, the fast path's quick look (`FastPath.steered`) sends to Connexion unread."""
        return (faults.latency_for(headers, self.state.latency_ms),
                forcing.resolve(operation_id, headers, cookies, query, standing),
                faults.fault_for(operation_id, headers, self.state.faults))

    async def answer(self, operation_id: str, params: dict, notes: dict) -> Response:
        """What `endpoint` answers when nothing steers the request (api/fastpath.py calls it
        with the arguments Connexion would pass)."""
        notes["operation"] = operation_id
        return await self._answer(operation_id, getattr(self, operation_id), params, notes,
                                  None, None)

    async def _answer(self, operation_id: str, handler: Handler, params: dict, notes: dict,
                      forced: forcing.Forced | None, fault: str | None) -> Response:
        if forced is not None and forced.body is not None:
            notes["forced"] = forced.label
            return json_response(forced.body, forced.status, {forcing.FORCED_HEADER: forced.label})
        if fault is not None:
            notes["forced"] = f"fault={fault}"
            return faults.fault_response(fault)
        try:
            return await handler(**params)
        except ApiError as exc:
            case = catalogue.lookup(exc.scenario, operation_id)
            if case is None:  # a rule raised an error this operation does not document
                raise RuntimeError(f"{exc.scenario} is not documented for {operation_id}") from exc
            return error_response(case, exc.developer_message, values=exc.values)
