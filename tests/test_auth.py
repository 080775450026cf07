"""The caller's credential read straight from an ASGI scope's headers is the one Starlette's
`Headers` give `token_from_headers`: same header order of preference, first repeat wins."""

from __future__ import annotations

import pytest
from starlette.datastructures import Headers

from accelevents_mock.api.credentials import token_from_headers, token_from_raw_headers

CASES = [
    [],
    [(b"host", b"x"), (b"authorization", b"attendee-token")],
    [(b"authorization", b"Bearer  host-token ")],
    [(b"authorization", b"bearer"), (b"key", b"k")],
    [(b"key", b"k1"), (b"authentication", b"a1"), (b"authorization", b"z")],
    [(b"authentication", b"a1"), (b"key", b"")],
    [(b"key", b""), (b"authentication", b"a1")],
    [(b"authorization", b"first"), (b"authorization", b"second")],
    [(b"authorization", b"   "), (b"key", b"k")],
    [(b"authorization", "caf\u00e9".encode("latin-1"))],
]


@pytest.mark.parametrize("raw", CASES)
def test_raw_headers_give_the_token_headers_give(raw: list[tuple[bytes, bytes]]) -> None:
    assert token_from_raw_headers(raw) == token_from_headers(Headers(raw=raw))


def test_the_cases_tell_the_header_styles_apart() -> None:
    found = [token_from_raw_headers(raw) for raw in CASES]
    assert found[1:5] == ["attendee-token", "host-token", None, "z"] and found[7] == "first"
