"""Keeping credentials out of everything the harness prints or writes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

MASK = "***"
# Headers that carry a credential, whatever value they hold (lower case).
SECRET_HEADERS = frozenset({"authorization", "key", "authentication", "cookie", "set-cookie",
                            "x-api-key", "proxy-authorization"})


class Redactor:
    """Replaces known secrets anywhere in text, and credential headers whatever their value."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: set[str] = set()
        self.add(*secrets)

    def add(self, *secrets: str | None) -> None:
        # Very short values would mask unrelated text and are not credentials worth hiding.
        self._secrets.update(s for s in secrets if s and len(s) >= 4)

    def text(self, value: str) -> str:
        # Longest first, so a secret containing another is masked whole.
        for secret in sorted(self._secrets, key=len, reverse=True):
            value = value.replace(secret, MASK)
        return value

    def headers(self, headers: Mapping[str, Any]) -> dict[str, Any]:
        return {name: (MASK if name.lower() in SECRET_HEADERS and value else self.value(value))
                for name, value in headers.items()}

    def value(self, value: Any) -> Any:
        """Redact any JSON-like value recursively."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, Mapping):
            return {k: self.value(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.value(v) for v in value]
        return value
