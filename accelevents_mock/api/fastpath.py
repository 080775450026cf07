"""A fast path in front of Connexion for the API's plain requests (issue 17).

py-spy put about three quarters of a computed GET, and four fifths of a register, in
Connexion's request path (five middlewares, two ConnexionRequest objects, parameters parsed
twice). For the requests that are plainly valid, this layer does the same work from tables
built once from the same spec: it routes by the operations' methods and path templates,
decodes the query by a grammar narrower than Connexion's, checks each value with the very
validator Connexion would use (jsonschema's Draft4Validator, Connexion's format checker), and
calls the same handler with the same arguments through `Operations.answer` (the same
response, byte for byte, and for a write the same store write, journal entry and, on a
shared store, the same commit and publication: all of that happens inside the handler).

Writes are taken too, but only operations the spec gives no request body (none of the API's
writes has one today); an operation with a body would need Connexion's body validation, so it
is never compiled here.

Whatever is not plainly valid goes to Connexion untouched, so its 400s and every other
behaviour stay exactly its own: an unknown route or method, an unknown, repeated, empty or
percent-encoded query parameter, a missing required one, a value outside the narrow grammar
or its schema, a request body or content type, and anything that steers the answer (forcing,
latency, faults, a standing scenario). A handler that raises anything but the documented
errors it already answers is answered by Connexion's own error handlers, from the very
exception: never run a second time, so a write that failed halfway is not tried again.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from connexion import AsyncApp
from connexion.middleware.exceptions import ExceptionMiddleware
from jsonschema import Draft4Validator
from starlette.types import ASGIApp, Receive, Scope, Send

from accelevents_mock.api.connexion_compat import enter_request, error_handlers, python_name
from accelevents_mock.api.handlers import Operations
from accelevents_mock.contract.schema import deref
from accelevents_mock.contract.spec import BASE_PATH, Document, load, operations, path_regex
from accelevents_mock.steering.scope import may_steer

BODY_HEADERS = frozenset({b"content-length", b"content-type", b"transfer-encoding"})
# Values taken as they are: no percent-encoding, no '+', nothing Connexion might read otherwise.
PLAIN_QUERY = re.compile(r"[A-Za-z0-9._~,/=&-]*")
DIGITS = re.compile(r"0|[1-9][0-9]*")  # no sign, no leading zero, no spaces: int() agrees
BOOLEANS = {"true": True, "false": False}
SCHEMA_KEYWORDS = frozenset({"type", "minimum", "maximum", "minLength", "maxLength", "pattern",
                             "enum", "items", "maxItems", "minItems", "format", "default",
                             "description", "x-inferred", "x-inferred-reason", "x-source"})

Decoder = Callable[[str], Any]  # raises ValueError when the text is not plainly valid


def _integer(text: str) -> int:
    if not DIGITS.fullmatch(text):
        raise ValueError(text)
    return int(text)


def _boolean(text: str) -> bool:
    return BOOLEANS[text]  # KeyError is a LookupError, not a ValueError: caught apart below


def _string(text: str) -> str:
    if not text:
        raise ValueError("empty")
    return text


SCALARS: dict[str, Decoder] = {"integer": _integer, "boolean": _boolean, "string": _string}


def _array_of(item: Decoder) -> Decoder:
    def decode(text: str) -> list:
        return [item(part) for part in text.split(",")]  # '' or '1,,2' fails in item
    return decode


KEPT_TARGETS = 4096  # requests (method, path and query) whose routing FastPath remembers


@dataclass(frozen=True)
class Parameter:
    name: str  # as the spec and the request name it
    argument: str  # as the handler names it (Connexion's pythonic_params)
    decode: Decoder
    validator: Draft4Validator

    def value(self, text: str) -> Any:
        """The value Connexion would pass the handler, or ValueError if not plainly valid.
        (FastPath.route remembers what it made of a whole request, so this runs once per
        request seen.)"""
        try:
            value = self.decode(text)
        except (LookupError, ValueError):
            raise ValueError(text) from None
        if not self.validator.is_valid(value):
            raise ValueError(text)
        return value


def compile_parameter(definition: dict) -> Parameter | None:
    """A decoder and validator for one parameter, or None if it is not one the fast path
    reads (then any request that sends it goes to Connexion)."""
    schema = definition.get("schema", {})
    if set(schema) - SCHEMA_KEYWORDS or schema.get("nullable") or \
            definition.get("style", "form") != "form":
        return None
    if schema.get("type") == "array":
        items = schema.get("items", {})
        if set(items) - SCHEMA_KEYWORDS or items.get("type") not in SCALARS \
                or definition.get("explode", True):
            return None
        decode = _array_of(SCALARS[items["type"]])
    elif schema.get("type") in SCALARS:
        decode = SCALARS[schema["type"]]
    else:
        return None
    validator = Draft4Validator(schema, format_checker=Draft4Validator.FORMAT_CHECKER)
    return Parameter(definition["name"], python_name(definition["name"]), decode, validator)


@dataclass(frozen=True)
class Route:
    operation_id: str
    method: str
    pattern: re.Pattern[str]
    path: dict[str, Parameter]
    query: dict[str, Parameter | None]  # None: documented, but not read here
    defaults: dict[str, Any]  # Connexion passes query defaults to the handler
    required: frozenset[str] = frozenset()  # query parameters a request must send

    def arguments(self, found: re.Match[str], query: str) -> dict[str, Any] | None:
        """The handler's arguments (`found`: the path's match), or None when the request is
        not plainly valid."""
        try:
            arguments = {self.path[name].argument: self.path[name].value(text)
                         for name, text in found.groupdict().items()}
            given = self._query_arguments(query)
        except ValueError:
            return None
        if given is None or not self.required <= given.keys():
            return None
        return {**arguments, **self.defaults,
                **{self.argument(name): value for name, value in given.items()}}

    def argument(self, name: str) -> str:
        parameter = self.query[name]
        assert parameter is not None  # _query_arguments gives only parameters read here
        return parameter.argument

    def _query_arguments(self, query: str) -> dict[str, Any] | None:
        given: dict[str, Any] = {}
        if not query:
            return given
        for pair in query.split("&"):
            name, equals, text = pair.partition("=")
            parameter = self.query.get(name)
            if not equals or parameter is None or name in given:
                return None
            given[name] = parameter.value(text)
        return given


def compile_route(document: Document, operation_id: str, method: str, template: str,
                  definition: dict) -> Route | None:
    parameters = [deref(document, p) for p in definition.get("parameters", [])]
    if definition.get("requestBody") or any(p["in"] not in ("path", "query") for p in parameters):
        return None
    compiled = {p["name"]: compile_parameter(p) for p in parameters}
    path: dict[str, Parameter] = {}
    for name in (p["name"] for p in parameters if p["in"] == "path"):
        parameter = compiled[name]
        if parameter is None:
            return None
        path[name] = parameter
    query = {p["name"]: compiled[p["name"]] for p in parameters if p["in"] == "query"}
    defaults = {python_name(p["name"]): p["schema"]["default"] for p in parameters
                if p["in"] == "query" and "default" in p.get("schema", {})}
    required = frozenset(p["name"] for p in parameters if p["in"] == "query" and p.get("required"))
    return Route(operation_id, method, re.compile(BASE_PATH + path_regex(template)), path, query,
                 defaults, required)


def compile_routes() -> dict[str, list[Route]]:
    """The spec's operations the fast path can read, by method."""
    document = load()
    routes: dict[str, list[Route]] = {}
    for op in operations().values():
        route = compile_route(document, op.operation_id, op.method, op.path, op.definition)
        if route is not None:
            routes.setdefault(route.method, []).append(route)
    return routes


Routed = tuple[Route, dict[str, Any], tuple[str, ...]]  # route, arguments, names of lists


class FastPath:
    """Answers plainly valid requests of the API itself; hands everything else to `app`
    (Connexion)."""

    def __init__(self, app: AsyncApp, operations: Operations) -> None:
        self.app, self.operations = app, operations
        self.routes = compile_routes()
        # (method, path, raw query) -> what `_route` made of it
        self.routed: dict[tuple[str, str, bytes], Routed | None] = {}

    def steered(self, scope: Scope) -> bool:
        """Anything that may steer the answer (`steering.may_steer`), or a request body. A
        steered call goes to Connexion, whose `endpoint` reads its steering
        (`Operations.steering`) once; the test `test_the_quick_look_covers_all_steering` holds
        the two together."""
        return may_steer(self.operations.state, scope) or any(
            name in BODY_HEADERS and value != b"0" for name, value in scope["headers"])

    def route(self, scope: Scope) -> tuple[Route, dict[str, Any]] | None:
        """The route and the handler's arguments, or None: a call for Connexion."""
        if scope["type"] != "http" or scope.get("root_path") or self.steered(scope):
            return None
        target = (scope["method"], scope["path"], scope.get("query_string", b""))
        try:
            routed = self.routed[target]
        except KeyError:
            if len(self.routed) >= KEPT_TARGETS:
                self.routed.clear()  # any path and query is a key: keep it bounded
            routed = self.routed[target] = self._route(*target)
        if routed is None:
            return None
        route, arguments, lists = routed
        # Each call gets a dict and lists of its own, as from Connexion.
        return route, {**arguments, **{name: list(arguments[name]) for name in lists}}

    def _route(self, method: str, path: str, raw_query: bytes) -> Routed | None:
        """What `route` answers for a request that nothing steers, with the names of the
        arguments that are lists: the same for every such request with this method, path and
        query, so `route` keeps it."""
        routes = self.routes.get(method)
        query = raw_query.decode("latin-1")
        if routes is None or not PLAIN_QUERY.fullmatch(query):
            return None
        matching = [(route, found) for route in routes if (found := route.pattern.fullmatch(path))]
        # One route of this method matches: Starlette, which Connexion routes with, takes the
        # first route whose path and method both match, so it takes this one too. None, or
        # templates that overlap: Connexion's routing decides.
        if len(matching) != 1:
            return None
        route, found = matching[0]
        arguments = route.arguments(found, query)
        if arguments is None:
            return None
        return route, arguments, tuple(n for n, v in arguments.items() if isinstance(v, list))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        routed = self.route(scope)
        if routed is None:
            await self.app(scope, receive, send)
            return
        route, arguments = routed
        # The handlers read the caller's headers through Connexion's request context.
        enter_request(scope, receive)
        try:
            response = await self.operations.answer(route.operation_id, arguments,
                                                    scope.setdefault("mock", {}))
        except Exception as exc:  # noqa: BLE001 - answered as Connexion answers it
            await self.failed(exc)(scope, receive, send)
            return
        await response(scope, receive, send)

    def failed(self, exc: Exception) -> ASGIApp:
        """What Connexion answers when the handler raises `exc`: its exception middleware with
        the app's error handlers, given the exception itself. The handler is not run again: a
        write may have changed something before it failed (what changed stays changed, as
        behind Connexion)."""
        async def raising(_: Scope, __: Receive, ___: Send) -> None:
            raise exc

        errors = ExceptionMiddleware(raising)
        for handler in error_handlers(self.app):  # added by api.build.build_api
            errors.add_exception_handler(*handler)
        return errors
