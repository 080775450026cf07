"""Every use of Connexion below its public API is in one module, which refuses any Connexion
but the one it was written for."""

from __future__ import annotations

import ast
import importlib
import sys
from pathlib import Path

import pytest

from accelevents_mock.api import connexion_compat

PACKAGE = Path(connexion_compat.__file__).resolve().parents[1]
COMPAT = "accelevents_mock.api.connexion_compat"
# What the rest of the package may import from Connexion: its documented surface.
PUBLIC = {"connexion": {"AsyncApp", "request"},
          "connexion.exceptions": {"ProblemException"},
          "connexion.lifecycle": {"ConnexionRequest", "ConnexionResponse"},
          "connexion.middleware.main": {"ConnexionMiddleware"},
          "connexion.middleware.exceptions": {"ExceptionMiddleware"},
          "connexion.middleware.response_validation": {"ResponseValidationMiddleware"},
          "connexion.middleware.security": {"SecurityMiddleware"},
          "connexion.options": {"SwaggerUIOptions"},
          "connexion.resolver": {"Resolver"},
          "connexion.validators": {"VALIDATOR_MAP"}}


def connexion_imports(path: Path) -> list[tuple[str, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "connexion":
            found += [(node.module or "", alias.name) for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [(alias.name, "") for alias in node.names if alias.name.startswith("connexion")]
    return found


def test_only_the_compatibility_module_reaches_below_connexions_public_api() -> None:
    below = {}
    for path in PACKAGE.rglob("*.py"):
        if path.name == "connexion_compat.py":
            continue
        private = [f"{module}.{name}" for module, name in connexion_imports(path)
                   if name not in PUBLIC.get(module, set())]
        if private:
            below[str(path.relative_to(PACKAGE))] = private
    assert below == {}, f"move these uses into {COMPAT}"


def test_another_connexion_version_is_refused_naming_the_module(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("importlib.metadata.version", lambda name: "3.4.0")
    monkeypatch.delitem(sys.modules, COMPAT)
    with pytest.raises(ImportError, match=rf"{COMPAT} was written for Connexion 3\.3\.0"):
        importlib.import_module(COMPAT)
    monkeypatch.undo()
    assert importlib.import_module(COMPAT).WRITTEN_FOR == "3.3.0"
