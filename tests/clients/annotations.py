"""Checking a model parsed by an openapi-python-client client against its own annotations.

The generated `from_dict` trusts the JSON: a string where the spec says integer, or an enum
value the spec does not list, ends up in the model unchecked. `type_errors` walks a parsed
model and says where a value is not of the field's annotated type."""

from __future__ import annotations

import sys
import types
import typing
from typing import Any

import attrs


def type_errors(model: object, namespace: dict[str, Any], path: str = "") -> list[str]:
    """Every field of the attrs `model` (recursively) whose value is not of its annotated type;
    `namespace` resolves the models the annotations name but the module imports only for type
    checkers (the models package)."""
    module = vars(sys.modules[type(model).__module__])  # the names the module imports itself
    hints = typing.get_type_hints(type(model), globalns={**namespace, **module})
    problems: list[str] = []
    for field in attrs.fields(type(model)):
        if field.name == "additional_properties":
            extra = getattr(model, field.name)
            problems += [f"{path}{key}: not in the spec" for key in extra]
            continue
        problems += _value_errors(getattr(model, field.name), hints[field.name], namespace,
                                  f"{path}{field.name}")
    return problems


def _value_errors(value: object, hint: Any, namespace: dict[str, Any], path: str) -> list[str]:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        branches = [_value_errors(value, arm, namespace, path) for arm in typing.get_args(hint)]
        return [] if any(not b for b in branches) else [f"{path}: {value!r} is not {hint}"]
    if hint is Any:
        return []
    if hint is type(None):
        return [] if value is None else [f"{path}: {value!r} is not None"]
    if origin is list:
        if not isinstance(value, list):
            return [f"{path}: {value!r} is not a list"]
        (item,) = typing.get_args(hint)
        return [p for i, v in enumerate(value) for p in _value_errors(v, item, namespace, f"{path}[{i}]")]
    if origin is dict:
        return [] if isinstance(value, dict) else [f"{path}: {value!r} is not a dict"]
    if not isinstance(value, hint) or (hint in (int, float) and isinstance(value, bool)):
        if hint is float and isinstance(value, int) and not isinstance(value, bool):
            return []  # JSON has one number type: 2 is a fine float
        return [f"{path}: {value!r} is not {hint.__name__}"]
    return type_errors(value, namespace, f"{path}.") if attrs.has(hint) else []
