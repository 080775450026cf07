"""The mock for other projects' tests: `MockHandle` and `LiveServer` (`handle`), and the pytest
plugin (`plugin`, entry point `accelevents_mock`).

`from accelevents_mock.testing import MockHandle` works, but imports the app (Connexion,
Starlette) only then: the plugin lives in this package, and a pytest run that never asks for
the mock must stay light.
"""

from __future__ import annotations

from typing import Any

__all__ = ["LiveServer", "MockHandle"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from accelevents_mock.testing import handle

        return getattr(handle, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
