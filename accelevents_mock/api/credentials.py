"""Reading the caller's credential from the headers real clients use."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

# Checked in this order; the first one present wins.
CREDENTIAL_HEADERS = ("authorization", "key", "authentication")
_RAW_CREDENTIAL_HEADERS = frozenset(name.encode() for name in CREDENTIAL_HEADERS)


def token_from_headers(headers: Mapping[str, str]) -> str | None:
    """`Authorization: <token>`, `Authorization: Bearer <token>`, `Key: <token>` or
    `AUTHENTICATION: <key>` (header names are case-insensitive)."""
    for name in CREDENTIAL_HEADERS:
        value = headers.get(name)
        if value:
            value = value.strip()
            scheme, _, rest = value.partition(" ")
            if scheme.lower() == "bearer":
                value = rest.strip()
            return value or None
    return None


def token_from_raw_headers(headers: Iterable[tuple[bytes, bytes]]) -> str | None:
    """`token_from_headers` over an ASGI scope's headers (names in lower case, as Starlette's
    `Headers` also reads them), without building a `Headers` around all of them."""
    found: dict[str, str] = {}
    for name, value in headers:
        if name in _RAW_CREDENTIAL_HEADERS:
            found.setdefault(name.decode("latin-1"), value.decode("latin-1"))  # the first wins
    return token_from_headers(found)
