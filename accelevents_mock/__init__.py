"""A stateful mock of the Accelevents session API, driven by openapi.yaml."""

__version__ = "0.1.0"

import warnings

# Connexion imports starlette.testclient, which warns at import time that httpx will be
# replaced; every worker would print it.
warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
