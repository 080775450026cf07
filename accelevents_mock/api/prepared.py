"""Connexion's per-request work that depends on the operation alone, done once (issue 17).

Connexion 3.3 stays the framework: it loads the spec, routes, validates and decodes. But on
every request it also builds again what never changes for an operation; py-spy put about a
third of a computed answer there. Through Connexion's own extension points we keep those:

- `ParameterValidator` (the `validator_map` option): Connexion deep-copies each parameter's
  schema and builds a new jsonschema `Draft4Validator` for it on every request. The same
  validator, built once per parameter, gives the very same messages (same class, same schema).
- `PreparedOperation` (the API's `make_operation`): Connexion builds the handler's decorator
  chain, inspects the handler's signature and builds a URI parser on every request. All three
  are built on an operation's first request (they read the operation from Connexion's request
  context) and kept.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from connexion.apps.asynchronous import AsyncApi, AsyncOperation
from connexion.context import receive, scope
from connexion.decorators.main import StarletteDecorator
from connexion.operations import AbstractOperation
from connexion.validators import parameter as connexion_parameter
from jsonschema import Draft4Validator


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
