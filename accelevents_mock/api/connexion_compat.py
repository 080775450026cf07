"""Everything the mock does below Connexion's public API, in one place, for Connexion 3.3.0.

Connexion stays the framework that loads the spec, routes, validates and serves /ui. Where the
mock reaches into it (private attributes, subclassed internals, context variables), it does so
here and nowhere else, so an upgrade has one module to read again. Importing this module on any
other Connexion version fails, naming this module (tests/test_connexion_compat.py).

What is here, and why:
- the request context's variables, read and set directly (`request_scope`, `enter_request`):
  the fast path answers without Connexion's request path, and the handlers read the caller's
  headers without the context's LocalProxy (a µs per call);
- `python_name`: Connexion's own conversion of spec names to snake_case (`pythonic_params`),
  which the fast path and the handlers' names follow;
- `use_api_class` and `error_handlers`: the app's private middleware app and its handlers;
- `SpringArrayURIParser`: array query parameters read as the real (Spring) API reads them;
- the prepared API (below): Connexion's per-request work built once per operation;
- the shipped specification (below): openapi.yaml without Connexion's schema check per start.

The prepared API: on every request Connexion builds again what never changes for an
operation; py-spy put about a third of a computed answer there. Through Connexion's own
extension points we keep those:

- `ParameterValidator` (the `validator_map` option): Connexion deep-copies each parameter's
  schema and builds a new jsonschema `Draft4Validator` for it on every request. The same
  validator, built once per parameter, gives the very same messages (same class, same schema).
- `PreparedOperation` (the API's `make_operation`): Connexion builds the handler's decorator
  chain, inspects the handler's signature and builds a URI parser on every request. All three
  are built on an operation's first request (they read the operation from Connexion's request
  context) and kept.

The shipped specification: Connexion validates a spec against the OpenAPI 3.0 schema each
time it is given one: about 50 ms, a twelfth of the mock's cold start, and again on every
GET /rest/openapi.json (its Swagger UI middleware clones the spec per request). The server only
ever serves the openapi.yaml shipped in its package, which tests/test_spec.py checks with
that very validator (and with openapi-spec-validator), so the server skips it. Connexion has no option for
this: `add_api` always builds (and validates) the Specification itself, so `add_shipped_api` registers the API
as Connexion's `add_api` does, with a Specification built here.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from importlib.metadata import version
from typing import Any

from connexion import AsyncApp
from connexion import context as connexion_context
from connexion.apps.asynchronous import AsyncApi, AsyncOperation
from connexion.context import receive, scope
from connexion.decorators.main import StarletteDecorator
from connexion.decorators.parameter import pythonic
from connexion.middleware.main import API
from connexion.operations import AbstractOperation
from connexion.spec import OpenAPISpecification
from connexion.uri_parsing import QUERY_STRING_DELIMITERS, OpenAPIURIParser
from connexion.validators import parameter as connexion_parameter
from jsonschema import Draft4Validator
from starlette.types import Receive, Scope

from accelevents_mock.contract.spec import Document

WRITTEN_FOR = "3.3.0"
if version("connexion") != WRITTEN_FOR:
    raise ImportError(f"{__name__} was written for Connexion {WRITTEN_FOR}, and Connexion "
                      f"{version('connexion')} is installed: read this module again against the "
                      f"new version (every use of Connexion's internals is in it), or install "
                      f"connexion=={WRITTEN_FOR}")


# -- the request context -------------------------------------------------------------------------
def request_scope() -> Scope:
    """The ASGI scope of the request being answered (Connexion's context variable)."""
    found: Scope = connexion_context._scope.get()
    return found


def enter_request(scope: Scope, receive: Receive) -> None:
    """Make `scope` the request being answered, for code that reads Connexion's context."""
    connexion_context._scope.set(scope)
    connexion_context._receive.set(receive)


@functools.cache  # a few dozen names, asked per call by the fast path: its regexes cost µs
def python_name(name: str) -> str:
    """A spec name (operationId, parameter) as Python names it: what Connexion's
    `pythonic_params` passes a handler (`sessionId` → `session_id`, `id` → `id_`)."""
    converted: str = pythonic(name)
    return converted


# -- the app -------------------------------------------------------------------------------------
def use_api_class(app: AsyncApp, api_class: type[AsyncApi]) -> None:
    """Build the app's APIs with `api_class` (Connexion has no option for it)."""
    app._middleware_app.api_cls = api_class


def error_handlers(app: AsyncApp) -> list[tuple[Any, Callable]]:
    """The error handlers added with `app.add_error_handler`, as Connexion keeps them."""
    handlers: list[tuple[Any, Callable]] = app.middleware.error_handlers
    return handlers


class SpringArrayURIParser(OpenAPIURIParser):
    """Array query parameters read as the real (Spring) API reads them: comma-separated
    (`trackIds=1,2`, the spec's `explode: false`), repeated (`trackIds=1&trackIds=2`, what
    generated clients send) or both at once all give one list; Connexion alone keeps only the
    last repeat. `?trackIds=` is an empty list (the schema allows one), not a list holding ''.
    A value that is no integer (`trackIds=abc`, `trackIds=1,,2`) stays a 400."""

    @staticmethod
    def _resolve_param_duplicates(values: list[str], param_defn: dict, _in: str) -> str:
        style = param_defn.get("style", OpenAPIURIParser.style_defaults[_in])
        return QUERY_STRING_DELIMITERS.get(style, ",").join(values)

    @staticmethod
    def _split(value: str, param_defn: dict, _in: str) -> list[str]:
        return [] if value == "" else OpenAPIURIParser._split(value, param_defn, _in)


# -- the prepared API ----------------------------------------------------------------------------
class ParameterValidator(connexion_parameter.ParameterValidator):
    """Connexion's, with each parameter's schema validator built once."""

    _validators: dict[int, tuple[dict, Draft4Validator]] = {}  # id(param) -> (param, validator)

    @staticmethod
    def validate_parameter(parameter_type: str, value: Any, param: dict,
                           param_name: str | None = None) -> str | None:
        if value is None or (connexion_parameter.is_nullable(param)
                             and connexion_parameter.is_null(value)):
            # Nothing to check against a schema: Connexion's own answer (null, or missing).
            return connexion_parameter.ParameterValidator.validate_parameter(
                parameter_type, value, param, param_name)
        kept = ParameterValidator._validators.get(id(param))
        if kept is None or kept[0] is not param:  # the param is kept too: its id stays its own
            validator = Draft4Validator(param.get("schema", param),
                                        format_checker=connexion_parameter.draft4_format_checker)
            kept = ParameterValidator._validators[id(param)] = (param, validator)
        if kept[1].is_valid(value):  # cheaper than validate(), which ranks the errors first
            return None
        try:
            kept[1].validate(value)
        except connexion_parameter.ValidationError as exception:
            return str(exception)
        return None  # not reached: is_valid and validate agree


class PreparedDecorator(StarletteDecorator):
    """Connexion's StarletteDecorator, with the decorated handler and URI parser kept."""

    def __call__(self, function: Callable) -> Callable:
        prepared: tuple[Any, Callable] | None = None

        @functools.wraps(function)
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            nonlocal prepared
            if prepared is None:  # the operation is known only inside a request
                prepared = (self.uri_parser, self.decorate(function))
            uri_parser, decorated = prepared
            request = self.framework.get_request(uri_parser=uri_parser, scope=scope,
                                                 receive=receive)
            return await decorated(request)

        return wrapper


class PreparedOperation(AsyncOperation):
    @functools.cached_property
    def fn(self) -> Callable:  # Connexion's is a plain property
        return PreparedDecorator(pythonic_params=self.pythonic_params,
                                 jsonifier=self.jsonifier)(self._fn)


class PreparedApi(AsyncApi):
    def make_operation(self, operation: AbstractOperation) -> AsyncOperation:
        return PreparedOperation.from_operation(
            operation, pythonic_params=self.pythonic_params, jsonifier=self.jsonifier)


# -- the shipped specification -------------------------------------------------------------------
class ShippedSpecification(OpenAPISpecification):
    """Connexion's OpenAPI 3 specification, less the schema check (and so are its clones)."""

    @classmethod
    def _validate_spec(cls, spec: Document) -> None:
        """Checked by tests/test_spec.py with Connexion's own validator instead."""


def add_shipped_api(app: AsyncApp, document: Document, *, base_path: str,
                    **options: Any) -> None:
    """`app.add_api(document, base_path=..., **options)` for the shipped spec: the same API
    entry (spec, base path, options merged over the app's), with a ShippedSpecification."""
    middleware = app.middleware
    specification = ShippedSpecification(copy.deepcopy(document))  # load()'s is shared
    merged = middleware.options.replace(**options)
    middleware.apis.append(API(specification, base_path=base_path, name=None, **merged.__dict__))
