"""Calling the proxy's target: one pooled aiohttp session per event loop (keep-alive
connections), and what the target answered or how it failed.

aiohttp rather than httpx: a proxied GET of the 24 kB session list costs about 0.17 ms of CPU
through aiohttp against 0.76 ms through httpx (1.5 ms when httpcore's per-call sniffio import
fails), and that was most of what the proxy added under load (bench row ours-proxy). It is
imported when a proxy first calls its target: importing it takes about 0.2 s, which a mock
without a proxy must not pay at start.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from accelevents_mock.contract.catalogue import Transport

if TYPE_CHECKING:
    import aiohttp

Headers = list[tuple[bytes, bytes]]  # raw header names and values, as ASGI has them


@dataclass(frozen=True)
class Answer:
    status: int
    headers: Headers  # as the target sent them (names in its own case)
    content_type: str | None
    content: bytes


class UpstreamFailed(Exception):
    """The target did not answer: `transport` says whether it timed out or was unreachable."""

    def __init__(self, transport: Transport, why: str) -> None:
        super().__init__(why)
        self.transport = transport


class Upstream:
    async def session(self) -> aiohttp.ClientSession:
        """The running loop's session (`loop_session`)."""
        return await loop_session()

    async def send(self, method: str, url: str, headers: list[tuple[str, str]], body: bytes,
                   timeout_s: float) -> Answer:
        """The target's answer to one call; UpstreamFailed when it gives none. `url` is sent as
        it is given (already percent-encoded, as the caller sent it)."""
        session = await self.session()
        import aiohttp  # noqa: PLC0415 - see the module's docstring (imported: a dict look-up)
        from yarl import URL  # noqa: PLC0415

        try:
            where = URL(url, encoded=True)
            if where.user is not None or where.password is not None:
                # The target URL's own credentials win (Basic auth), as they did with httpx.
                headers = [(k, v) for k, v in headers if k.lower() != "authorization"]
            async with session.request(
                    method, where, headers=headers, data=body or None, allow_redirects=False,
                    timeout=timeouts(timeout_s)) as response:
                content = await response.read()
                return Answer(response.status, list(response.raw_headers),
                              response.headers.get("Content-Type"), content)
        except TimeoutError as exc:  # aiohttp's own timeouts are TimeoutErrors too
            raise UpstreamFailed(Transport.UPSTREAM_TIMEOUT, type(exc).__name__) from None
        except (aiohttp.ClientError, ValueError) as exc:  # ValueError: a URL yarl cannot read
            raise UpstreamFailed(Transport.UPSTREAM_UNREACHABLE, type(exc).__name__) from None


# One session per event loop, shared by every proxy on it: it lives as long as its loop, not
# as a proxy's app (a test's mock thrown away on a loop that lives on, like the in-process
# mocks' one loop, leaves no session of its own unclosed). Each is held with the async
# generator that closes it when the loop ends (and then forgets it).
_sessions: dict[asyncio.AbstractEventLoop, tuple[aiohttp.ClientSession, AsyncIterator[None]]] = {}


async def loop_session() -> aiohttp.ClientSession:
    """The running loop's session, made on first use."""
    loop = asyncio.get_running_loop()
    kept = _sessions.get(loop)
    if kept is None:
        import aiohttp  # noqa: PLC0415 - see the module's docstring

        session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=200, limit_per_host=0),
            cookie_jar=aiohttp.DummyCookieJar(),  # one caller's cookies never reach another
            # A body is sent with the caller's own Content-Type (or none), never aiohttp's.
            skip_auto_headers=("Content-Type",),
            auto_decompress=True, trust_env=False)
        kept = _sessions[loop] = session, closing_on_shutdown(loop, session)
        await anext(kept[1])
    return kept[0]


@lru_cache(maxsize=16)  # one per --proxy-timeout value set since start: a handful
def timeouts(timeout_s: float) -> aiohttp.ClientTimeout:
    """Connecting and each read may take `timeout_s`; the whole answer has no limit of its own."""
    import aiohttp  # noqa: PLC0415 - see the module's docstring

    return aiohttp.ClientTimeout(total=None, connect=timeout_s, sock_read=timeout_s)


async def closing_on_shutdown(loop: asyncio.AbstractEventLoop,
                              session: aiohttp.ClientSession) -> AsyncIterator[None]:
    """Started once and kept: asyncio.run (and uvicorn, and anyio's loops) finalize every live
    async generator before closing their loop, so the session's connections are closed in the
    loop they belong to, with no "Unclosed client session" at exit."""
    try:
        yield
    finally:
        _sessions.pop(loop, None)
        await session.close()
