"""Keeping credentials and personal data out of everything the mock, the proxy and the harness
print or write: the one mask, the one list of credential headers and query parameters, and the
one `Redactor`."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

MASK = "***"  # what a masked value reads, whole: no part of a secret is ever shown
# Headers that carry a credential, whatever value they hold (lower case).
SECRET_HEADERS = frozenset({"authorization", "key", "authentication", "cookie", "set-cookie",
                            "x-api-key", "proxy-authorization", "x-mock-admin-token"})
# Query parameters that carry a credential (the networking socket takes `?token=`).
SECRET_PARAMS = ("token", "access_token", "key", "apikey", "api_key", "authorization",
                 "authentication", "admin_token")
_SECRET_QUERY = re.compile(rf"([?&](?:{'|'.join(SECRET_PARAMS)})=)[^&\s\"']*", re.IGNORECASE)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
EMAIL_MASK = "[email]"
SHORTEST_SECRET = 4  # shorter values would mask unrelated text, and are no credential to hide


def mask_secrets(text: str) -> str:
    """Credentials in a URL's query masked, whoever's they are."""
    return _SECRET_QUERY.sub(lambda m: m.group(1) + MASK, text)


def mask_token(token: str) -> str:
    """A token as it may be shown: not at all."""
    return MASK


def mask_url_credentials(url: str) -> str:
    """A URL's user and password (redis://user:secret@host/0) masked whole, and any credential
    in its query."""
    scheme, sep, rest = url.partition("://")
    if sep and "@" in rest.split("/", 1)[0]:
        rest = MASK + rest[rest.index("@"):]
    return mask_secrets(scheme + sep + rest)


class Redactor:
    """Masks every secret it knows of anywhere in text, credentials in a query, credential
    headers whatever their value, and (with `emails`) e-mail addresses."""

    def __init__(self, secrets: Iterable[str | None] = (), *, emails: bool = False) -> None:
        self._secrets: set[str] = set()
        self.emails = emails
        self.add(*secrets)

    def add(self, *secrets: str | None) -> None:
        self._secrets.update(s for s in secrets if s and len(s) >= SHORTEST_SECRET)

    def text(self, value: str, extra: Iterable[str | None] = ()) -> str:
        known = self._secrets | {s for s in extra if s and len(s) >= SHORTEST_SECRET}
        for secret in sorted(known, key=len, reverse=True):  # one that holds another, whole
            value = value.replace(secret, MASK)
        value = mask_secrets(value)
        return EMAIL.sub(EMAIL_MASK, value) if self.emails else value

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
