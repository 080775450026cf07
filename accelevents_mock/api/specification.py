"""openapi.yaml handed to Connexion without Connexion checking it again on every start.

Connexion validates a spec against the OpenAPI 3.0 schema each time it is given one: about
50 ms, a twelfth of the mock's cold start, and again on every GET /rest/openapi.json (its
Swagger UI middleware clones the spec per request). The server only ever serves the openapi.yaml
shipped in its package, which tests/test_spec.py checks with that very validator (and with
openapi-spec-validator), so the server skips it. Connexion has no option for this: `add_api`
always builds (and validates) the Specification itself, so `add_shipped_api` registers the API
as Connexion's `add_api` does, with a Specification built here.
"""

from __future__ import annotations

import copy
from typing import Any

from connexion import AsyncApp
from connexion.middleware.main import API
from connexion.spec import OpenAPISpecification

from accelevents_mock.contract.spec import Document


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
