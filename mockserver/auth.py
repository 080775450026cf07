"""Reading the caller's credential from the headers real clients use."""

from __future__ import annotations

from collections.abc import Mapping

# Checked in this order; the first one present wins.
CREDENTIAL_HEADERS = ("authorization", "key", "authentication")


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
