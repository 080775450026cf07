"""Thin Connexion handlers, one per operationId: parse → call the service → shape the response.

`Operations.endpoint(operation_id)` wraps a handler with what every operation shares:
forcing, faults, latency, the journal's notes and the documented error body for `ApiError`
(on a shared store, middleware/shared_store.py has brought the world up to date before).
Handlers that write run the service call through `state.transact`, so the rule's check and
its write are one atomic step for every worker.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from connexion import request
from starlette.responses import Response

from accelevents_mock.api.connexion_compat import python_name, request_scope
from accelevents_mock.api.credentials import token_from_raw_headers
from accelevents_mock.contract import catalogue
from accelevents_mock.contract.catalogue import ApiError
from accelevents_mock.domain.models import AttendeeStatus, User
from accelevents_mock.domain.service import ListQuery, MockService
from accelevents_mock.domain.views import parse_expand
from accelevents_mock.http import error_response, json_response, void_response
from accelevents_mock.runtime import simulation
from accelevents_mock.runtime.state import MockState
from accelevents_mock.steering import faults, forcing

Handler = Callable[..., Awaitable[Response]]


def list_query(page: int = 0, size: int = 10, past: bool | None = None,
               session_format: str | None = None, status: str | None = None,
               search_string: str | None = None, track_ids: list[int] | None = None,
               tag_ids: list[int] | None = None, expand: str | None = None,
               current_user_registered_event_ticket_id: int | None = None,
               filter_date: str | None = None) -> ListQuery:
    return ListQuery(
        page=page, size=size, past=past, session_format=session_format, status=status,
        search=search_string or None, track_ids=frozenset(track_ids or ()),
        tag_ids=frozenset(tag_ids or ()), ticket_id=current_user_registered_event_ticket_id,
        expand=parse_expand(expand), filter_date=filter_date,
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
        return self.service.authenticate(token_from_raw_headers(request_scope()["headers"]))

    # -- sessions (each handler is its operationId in snake_case, as are its parameters) --
    async def list_sessions(self, eventurl: str, **query: Any) -> Response:
        user = self.caller()
        return json_response(self.service.list_sessions(eventurl, user, list_query(**query),
                                                         as_json=True))

    async def list_sessions_v2(self, eventurl: str, called_from: str | None = None,
                               show_past_and_upcoming: bool | None = None,
                               **query: Any) -> Response:
        return await self.list_sessions(eventurl, **query)

    async def get_session(self, eventurl: str, session_id: int,
                          expand: str | None = None) -> Response:
        user = self.caller()
        return json_response(self.service.get_session(eventurl, user, session_id,
                                                      parse_expand(expand), as_json=True))

    async def get_registered_sessions(self, eventurl: str,
                                      show_past_and_upcoming: bool | None = None,
                                      **query: Any) -> Response:
        user = self.caller()
        return json_response(self.service.registered_sessions(eventurl, user, list_query(**query),
                                                               as_json=True))

    # -- registration -----------------------------------------------------------------------
    async def register_for_session(self, eventurl: str, session_id: int,
                                   join_session: bool = False, past_join_session: bool = False,
                                   event_ticket_id: int | None = None) -> Response:
        user = self.caller()
        await self.state.write("register", user, eventurl=eventurl, sessionId=session_id,
                               joinSession=join_session, pastJoinSession=past_join_session,
                               ticketId=event_ticket_id)
        return void_response()

    async def unregister_from_session(self, eventurl: str, session_id: int) -> Response:
        user = self.caller()
        await self.state.write("unregister", user, eventurl=eventurl, sessionId=session_id)
        return void_response()

    async def join_workshop_session(self, eventurl: str, id_: int) -> Response:
        user = self.caller()
        return json_response(await self.state.write("joinWorkshop", user, eventurl=eventurl,
                                                    sessionId=id_))

    # -- networking -------------------------------------------------------------------------
    async def set_networking_availability(self, eventurl: str, id_: int,
                                          status: str) -> Response:
        user = self.caller()
        await self.state.write("setNetworkingStatus", user, eventurl=eventurl, sessionId=id_,
                               status=AttendeeStatus(status).value)
        simulation.after_availability(self.state, eventurl, id_, user)
        return void_response()

    async def get_networking_matches(self, eventurl: str, session_id: int) -> Response:
        user = self.caller()
        return json_response(self.service.networking_matches(eventurl, user, session_id))

    # -- host -------------------------------------------------------------------------------
    async def get_host_session(self, eventurl: str, session_id: int,
                               expand: str | None = None) -> Response:
        user = self.caller()
        return json_response(self.service.host_session(eventurl, user, session_id,
                                                       parse_expand(expand)))

    async def get_session_analytics(self, eventurl: str, session_id: int,
                                    expand: str | None = None) -> Response:
        user = self.caller()
        return json_response(self.service.session_analytics(eventurl, user, session_id,
                                                            parse_expand(expand)))

    # -- what every operation shares --------------------------------------------------------
    def handler(self, operation_id: str) -> Handler:
        """The method that answers `operation_id`: its name in snake_case."""
        handler: Handler = getattr(self, python_name(operation_id))
        return handler

    def endpoint(self, operation_id: str) -> Handler:
        handler = self.handler(operation_id)

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
        return (faults.latency_for(headers, self.state.controls.latency_ms),
                forcing.resolve(operation_id, headers, cookies, query, standing),
                faults.fault_for(operation_id, headers, self.state.controls.faults))

    async def answer(self, operation_id: str, params: dict, notes: dict) -> Response:
        """What `endpoint` answers when nothing steers the request (api/fastpath.py calls it
        with the arguments Connexion would pass)."""
        notes["operation"] = operation_id
        return await self._answer(operation_id, self.handler(operation_id), params, notes,
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
