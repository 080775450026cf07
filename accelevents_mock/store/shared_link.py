"""A worker's own connection to Redis for the shared store's hot path: its commits, its catch-up
reads and the store's messages, on one RESP3 connection.

redis-py's client suits everything else (the journal, the log's start): per call it checks a
connection out of its pool and back and bounds the send by `asyncio.wait_for` (on Python 3.11,
a task of its own), and its pub/sub reader is a task woken per message. On this path that costs
more than the round trip itself. So each worker keeps one connection as an asyncio protocol:

- calls are written at once and answered in order, each by a future its caller awaits;
- RESP3 lets that connection subscribe too: the store's messages arrive as pushes on it and
  are handed on as they are read. A commit's own message comes in the same read as its reply.

hiredis (redis-py's own C parser, already a dependency) reads the replies and packs the
commands. The URL is read by redis-py (`parse_url`): host or socket, database, credentials, TLS.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from collections import deque
from collections.abc import Callable
from typing import Any, cast

import hiredis
from redis.asyncio.connection import parse_url

log = logging.getLogger(__name__)

OnMessage = Callable[[bytes, bytes], None]  # (channel, data) of a message pushed to the link


class ReplyError(Exception):
    """Redis answered a call with an error (the script's own, or NOSCRIPT)."""


class _Connection(asyncio.Protocol):
    """One open connection: replies matched to calls in order, pushes handed on."""

    def __init__(self, on_message: OnMessage, on_lost: Callable[[], None]) -> None:
        self._on_message, self._on_lost = on_message, on_lost
        self._reader = hiredis.Reader()
        self._replies: deque[asyncio.Future[Any]] = deque()
        self._transport: asyncio.Transport | None = None
        self._subscribing = 0  # confirmations still awaited
        self.subscribed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.lost = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass

    def data_received(self, data: bytes) -> None:
        self._reader.feed(data)
        try:
            while (reply := self._reader.gets()) is not False:
                if type(reply) is hiredis.PushNotification:
                    self._pushed(reply)
                elif self._replies:
                    future = self._replies.popleft()
                    if not future.done():  # else its caller gave up, and dropped the link
                        future.set_result(reply)
        except hiredis.ProtocolError as exc:
            log.warning("Redis sent what is not RESP: %r", exc)
            self.drop()

    def _pushed(self, push: list[Any]) -> None:
        kind = push[0]
        if kind == b"message":
            try:
                self._on_message(push[1], push[2])
            except Exception:  # noqa: BLE001 - one bad message must not drop the connection
                log.exception("a message from the shared store could not be handled")
        elif kind == b"subscribe":
            self._subscribing -= 1
            if self._subscribing == 0 and not self.subscribed.done():
                self.subscribed.set_result(None)

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True
        error = ConnectionError(f"the connection to Redis was lost ({exc!r})")
        while self._replies:
            future = self._replies.popleft()
            if not future.done():
                future.set_exception(error)
        if not self.subscribed.done():
            self.subscribed.set_exception(error)
        self._on_lost()

    def send(self, *command: Any) -> asyncio.Future[Any]:
        """Write a command; the future holds its reply."""
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._replies.append(future)
        self.write(hiredis.pack_command(command))
        return future

    def subscribe(self, channels: tuple[str, ...]) -> None:
        """RESP3 confirms each channel by a push, not a reply: `subscribed` once all are."""
        self._subscribing += len(channels)
        self.write(hiredis.pack_command(cast(Any, ("SUBSCRIBE", *channels))))

    def write(self, data: bytes) -> None:
        if self._transport is None or self.lost:
            raise ConnectionError("the connection to Redis is closed")
        self._transport.write(data)

    def time_out(self, reply: asyncio.Future[Any]) -> None:
        if not reply.done():
            reply.set_exception(TimeoutError("Redis did not answer in time"))
            self.drop()

    def drop(self) -> None:
        """Close at once: a reply still on its way must not be read as another call's."""
        if self._transport is not None:
            self._transport.abort()


class Link:
    """A worker's connection to Redis, opened on demand (`open`) and again after it is lost:
    each opening loads `scripts` and subscribes to `channels` before it is done, and says so
    (`on_open`), since messages sent while it was closed were missed."""

    def __init__(self, url: str, timeout_s: float, channels: tuple[str, ...],
                 on_message: OnMessage, on_open: Callable[[], None],
                 scripts: tuple[str, ...] = ()) -> None:
        self._where = parse_url(url)
        self._timeout_s, self._channels, self._scripts = timeout_s, channels, scripts
        self._on_message, self._on_open = on_message, on_open
        self._connection: _Connection | None = None
        self._opening: asyncio.Future[None] | None = None  # the one opening under way
        self._closed = False  # by `close`: the link is not lost, it is done

    @property
    def is_open(self) -> bool:
        return self._connection is not None and not self._connection.lost

    async def open(self) -> None:
        """Connect, greet in RESP3 (with the URL's credentials), choose the database and
        subscribe, within the timeout. Callers that come meanwhile wait for the same opening."""
        if self.is_open:
            return
        if self._opening is None:
            self._opening = asyncio.ensure_future(self._open())
            self._opening.add_done_callback(self._opened)
        await asyncio.shield(self._opening)

    def _opened(self, attempt: asyncio.Future[None]) -> None:
        self._opening = None
        if not attempt.cancelled():
            attempt.exception()  # retrieved: whoever waited for it has seen it

    async def _open(self) -> None:
        loop = asyncio.get_running_loop()
        connection = _Connection(self._on_message, self._lost)
        async with asyncio.timeout(self._timeout_s):
            if "path" in self._where:
                await loop.create_unix_connection(lambda: connection, self._where["path"])
            else:
                tls = ssl.create_default_context() if "connection_class" in self._where else None
                await loop.create_connection(lambda: connection, self._where.get("host", "localhost"),
                                             self._where.get("port", 6379), ssl=tls)
            try:
                greeting: list[Any] = ["HELLO", 3]
                if "password" in self._where:
                    greeting += ["AUTH", self._where.get("username") or "default",
                                 self._where["password"]]
                check(await connection.send(*greeting))
                if self._where.get("db"):
                    check(await connection.send("SELECT", self._where["db"]))
                for script in self._scripts:  # so that EVALSHA finds them on this server
                    check(await connection.send("SCRIPT", "LOAD", script))
                connection.subscribe(self._channels)
                await connection.subscribed
            except BaseException:
                connection.drop()
                raise
        self._connection = connection
        self._on_open()

    def _lost(self) -> None:
        """Messages may be missed from now on: the next `open` says so (`on_open`)."""
        if not self._closed:
            log.warning("lost the connection to the shared store (Redis); the next call opens it again")

    def send(self, *command: Any) -> asyncio.Future[Any]:
        """Write a command on the open link (ConnectionError if it is not): its reply comes in
        the future; or ConnectionError once the link is lost, or TimeoutError when no reply
        comes within the timeout (then the link is dropped: a late reply must not be read as
        another call's)."""
        if not self.is_open:
            raise ConnectionError("the connection to Redis is not open")
        connection = cast(_Connection, self._connection)
        reply = connection.send(*command)
        timer = asyncio.get_running_loop().call_later(self._timeout_s, connection.time_out, reply)
        reply.add_done_callback(lambda _: timer.cancel())
        return reply

    async def call(self, *command: Any) -> Any:
        """One command's reply, opening the link first if need be."""
        await self.open()
        return check(await self.send(*command))

    async def run_script(self, script: str, sha: str, keys: list[str], args: list[Any]) -> Any:
        try:
            return await self.call("EVALSHA", sha, len(keys), *keys, *args)
        except ReplyError as exc:
            if not str(exc).startswith("NOSCRIPT"):
                raise
        await self.call("SCRIPT", "LOAD", script)  # a Redis started since, or flushed: once
        return await self.call("EVALSHA", sha, len(keys), *keys, *args)

    def drop(self) -> None:
        """Drop the connection (the next call opens another): a reply went astray."""
        if self._connection is not None:
            self._connection.drop()

    def close(self) -> None:
        self._closed = True
        self.drop()


def check(reply: Any) -> Any:
    """A reply, or its error raised as ReplyError."""
    if isinstance(reply, hiredis.ReplyError):
        raise ReplyError(str(reply))
    return reply
