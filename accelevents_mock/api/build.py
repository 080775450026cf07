"""The Connexion API over openapi.yaml: the handlers by operationId, request validation, and
the documented error body for everything the framework refuses."""

from __future__ import annotations

import logging

from connexion import AsyncApp
from connexion.middleware.main import ConnexionMiddleware
from connexion.middleware.response_validation import ResponseValidationMiddleware
from connexion.middleware.security import SecurityMiddleware
from connexion.options import SwaggerUIOptions
from connexion.resolver import Resolver
from connexion.validators import VALIDATOR_MAP

from accelevents_mock.api import connexion_compat as compat
from accelevents_mock.api import errors
from accelevents_mock.api.handlers import Operations
from accelevents_mock.contract.spec import BASE_PATH, load

# Our code reads the credential itself (four header styles, the documented 401 body), and
# responses are checked against the spec by the test suites rather than on every request.
MIDDLEWARES = [m for m in ConnexionMiddleware.default_middlewares
               if m not in (SecurityMiddleware, ResponseValidationMiddleware)]

# Unknown query parameters are ignored, as the real API does; Connexion logs each at ERROR.
logging.getLogger("connexion.decorators.parameter").setLevel(logging.CRITICAL)


def build_api(operations: Operations) -> AsyncApp:
    app = AsyncApp(__name__, middlewares=MIDDLEWARES,
                   validator_map={**VALIDATOR_MAP, "parameter": compat.ParameterValidator})
    compat.use_api_class(app, compat.PreparedApi)
    compat.add_shipped_api(  # app.add_api, without Connexion validating the spec on each start
        app, load(), base_path=BASE_PATH, resolver=Resolver(operations.endpoint),
        pythonic_params=True,  # handlers and their parameters in snake_case
        uri_parser_class=compat.SpringArrayURIParser,
        swagger_ui_options=SwaggerUIOptions(swagger_ui_path="/ui"),
    )
    for exception, handler in errors.HANDLERS:
        app.add_error_handler(exception, handler)
    return app
