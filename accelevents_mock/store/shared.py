"""One world for many workers and instances, kept in Redis (`--store redis://host:port/db`).

The world itself is built from its seed in every process; what changes (registrations,
networking, the clock, scenarios, faults, resets) is a log of ops in Redis (`shared_log.py`).
Each entry of the log is one committed change. A worker

- learns of every committed change by a message on a pub/sub channel, published by the same
  script call that commits it, and carrying the entry: it applies the entry from the message,
  so a read makes no round trip, even after a change. Only a message it cannot place (a gap,
  after Redis was lost) sends it to read the log: one round trip. The message reaches every
  subscriber's socket as Redis commits the change, before the writer can answer its client; a
  worker reads its socket before it answers a request (`sync`), so a change answered by one
  worker is seen by the next request to any other;
- writes in one round trip: it runs the rule in Python on its up-to-date copy, then one script
  call appends the change's ops if that copy still holds the whole log. If another worker
  committed in between, nothing is written, the local write is undone, the entries it missed
  come back in the same reply, and the rule runs again on the new state. So a check-then-write
  (capacity, session limit) can never act on stale counts: nothing is oversold, and the rules
  live once, in Python, not again in Lua.

Restarting a mock replays the log, so no registration is lost; a long log is compacted into a
snapshot of the state, so a restart stays quick and Redis stays small. The journal is a capped list
next to the log, written behind the requests (`shared_journal.py`), and networking notices
travel on a pub/sub channel (published with their change) to whichever worker holds the
attendee's socket.

When Redis cannot be reached, every call gives up within `STORE_TIMEOUT_S` with
`StoreUnavailable` (the API answers 503); the next call tries again, so service comes back by
itself with Redis.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar

import redis.asyncio as redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError, WatchError
from redis.exceptions import TimeoutError as RedisTimeoutError

from accelevents_mock.http import dumps as _dumps  # compact UTF-8 JSON, as the API answers
from accelevents_mock.store import StoreUnavailable
from accelevents_mock.store.backend import Replica
from accelevents_mock.store.journal import Answered, JournalEntry
from accelevents_mock.store.keys import (
    CHANGES,
    EPOCH,
    HAND_OVER,
    HANDED_OVER,
    JOURNAL_ERA,
    JOURNAL_KEYS,
    LOG,
    NOTICES,
)
from accelevents_mock.store.memory import Op
from accelevents_mock.store.shared_journal import SharedJournal
from accelevents_mock.store.shared_log import APPEND, COMPACT, READ, RESET, News, Position, Reply, SharedLog

T = TypeVar("T")
MAX_ATTEMPTS = 200  # of one commit; each failure means another worker made progress
MAX_BATCH = 64  # changes committed together at most
COMPACT_AFTER = 5000  # log entries; then the log is replaced by one snapshot of the state
STORE_TIMEOUT_S = 0.6  # to connect, or for one reply: then Redis counts as unreachable (503)
PROBE_AFTER_S = 0.5  # after Redis was found unreachable, how long calls fail without trying
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)  # OSError: TimeoutError too
CHANNELS = (CHANGES, NOTICES, HAND_OVER, HANDED_OVER)  # what each worker listens to
CHANGES_B, NOTICES_B, HAND_OVER_B = CHANGES.encode(), NOTICES.encode(), HAND_OVER.encode()

log = logging.getLogger(__name__)


def ping(url: str, timeout_s: float = 2.0) -> str | None:
    """Why Redis at `url` cannot serve as the store (said at start), or None if it answers."""
    import redis as blocking_redis

    try:
        client = blocking_redis.Redis.from_url(url, socket_connect_timeout=timeout_s,
                                               socket_timeout=timeout_s)
    except ValueError as exc:  # a URL redis-py cannot read (its message holds no password)
        return f"is not a Redis URL redis-py can read ({exc})"
    try:
        client.ping()
    except (RedisError, OSError) as exc:
        return f"does not answer ({type(exc).__name__})"
    finally:
        client.close()
    return None


class Reach:
    """Calls to Redis, each failing with StoreUnavailable once Redis refuses or does not
    answer within STORE_TIMEOUT_S. After a failure, calls fail at once for PROBE_AFTER_S (so
    requests queued behind one that waited still answer in time); then the next one tries."""

    def __init__(self) -> None:
        self._down_until = 0.0

    @contextlib.asynccontextmanager
    async def __call__(self) -> AsyncIterator[None]:
        if time.monotonic() < self._down_until:
            raise StoreUnavailable("the shared store (Redis) cannot be reached; trying again shortly")
        try:
            yield
        except UNREACHABLE as exc:
            self._down_until = time.monotonic() + PROBE_AFTER_S
            raise StoreUnavailable(f"the shared store (Redis) cannot be reached: {exc!r}") from exc


class _Waiting:
    """A change waiting to be committed, and once it is, its outcome."""

    def __init__(self, change: Callable[[], Any]) -> None:
        self.change = change
        self.done = False
        self.result: Any = None
        self.error: Exception | None = None

    def fail(self, error: Exception) -> None:
        self.done, self.error = True, error

    def outcome(self) -> Any:
        if self.error is not None:
            raise self.error
        return self.result


class SharedBackend:
    """The `Backend` of a mock whose world is shared through Redis."""

    def __init__(self, url: str, replica: Replica, journal_size: int) -> None:
        # No retries with back-off (the default waits seconds): the next request retries.
        options = {"socket_connect_timeout": STORE_TIMEOUT_S, "retry": Retry(NoBackoff(), 0)}
        # redis-py types each async command as "Awaitable | value": read its results as Any.
        self.redis: Any = redis.from_url(url, socket_timeout=STORE_TIMEOUT_S, **options)
        self._subscriber = redis.from_url(url, **options)  # no read timeout: it waits for news
        self._reach = Reach()
        self._log = SharedLog(self.redis)
        self.replica = replica
        self.at: Position | None = None  # where this worker's copy stands in the log (None: rebuild)
        self.journal_era: str | None = None  # changes with each reset (keys.JOURNAL_ERA)
        self.journal = SharedJournal(self.redis, journal_size, self._reach,
                                     lambda: self.journal_era, self._listen)
        self._lock = asyncio.Lock()  # one catch-up or change at a time in this worker
        self._listener: asyncio.Task | None = None  # reads CHANNELS
        self._subscribing: asyncio.Future[None] | None = None  # the subscription under way
        self._news: deque[News] = deque()  # commits announced, not applied yet
        self._queue: list[_Waiting] = []  # changes waiting for the next commit
        self._stale = True  # the log may hold entries this copy lacks, and no message says which

    # -- reading -----------------------------------------------------------------------------
    async def sync(self) -> None:
        if not self.listening:
            async with self._reach():
                await self._listen()
        # A change message already on this worker's socket is read by the listener first.
        await asyncio.sleep(0)
        if not self._news and not self._stale:
            return
        async with self._lock:
            await self._catch_up()

    async def _catch_up(self) -> None:
        """Apply the news; read the log (one round trip) only if the news cannot tell."""
        self._apply_news()
        if not self._stale:
            return
        async with self._reach():
            self._stale = False  # cleared before the read: a change meanwhile sets it again
            try:
                reply = await self._log.call(self.at, READ)
                if reply is None:
                    await self._start_log()
                else:
                    self._take(reply)
            except BaseException:
                self._stale = True
                raise
        self._apply_news()

    def _apply_news(self) -> None:
        while self._news:
            news = self._news.popleft()
            if news.seen(self.at):
                continue
            if not news.follows(self.at):
                self._news.clear()
                self._stale = True  # a gap: the log says what is missing
                return
            self._apply([news.entry])
            self.at = Position(news.epoch, news.era, news.index)
            self.journal_era = news.era

    def _take(self, reply: Reply) -> None:
        """Bring the copy up to the log, from a reply that did not commit: the entries after
        the copy's, or the whole log (its first entry rebuilds everything by itself)."""
        if reply.start and (self.at is None or (reply.epoch, reply.start) != (self.at.epoch, self.at.length)):
            self.at, self._stale = None, True  # cannot place them: read the whole log
            return
        self._apply(reply.entries)
        self.at = Position(reply.epoch, reply.era, reply.start + len(reply.entries))
        self.journal_era = reply.era

    def _apply(self, entries: list[bytes]) -> None:
        for entry in entries:
            for op in json.loads(entry):
                self.replica.apply(op)

    async def _start_log(self) -> None:
        """An empty Redis: this worker's world (seed, size, anchor hour) becomes everyone's,
        without the changes it held (a Redis restarted without persistence lost them for all):
        this worker then follows the new log like any other."""
        first = _dumps(self.replica.opening_ops())
        async with self.redis.pipeline(transaction=True) as pipe:
            await pipe.watch(EPOCH)
            if await pipe.get(EPOCH) is None:
                pipe.multi()
                # A random first epoch: a worker that followed a Redis since restarted empty
                # must not take the new log's epoch for the one it knows.
                pipe.delete(LOG, *JOURNAL_KEYS).rpush(LOG, first)
                pipe.set(EPOCH, secrets.randbits(48)).set(JOURNAL_ERA, secrets.randbits(48))
                pipe.publish(CHANGES, b"")
                with contextlib.suppress(WatchError):  # else another worker started it first
                    await pipe.execute()
        reply = await self._log.call(None, READ)
        if reply is not None:
            self._take(reply)

    # -- writing -----------------------------------------------------------------------------
    async def transact(self, change: Callable[[], T]) -> T:
        """Changes that wait while this worker commits others go together in the next commit
        (group commit: one round trip for the batch), each answered once it is committed."""
        waiting = _Waiting(change)
        self._queue.append(waiting)
        async with self._lock:
            while not waiting.done:  # else an earlier batch took it
                batch, self._queue = self._queue[:MAX_BATCH], self._queue[MAX_BATCH:]
                await self._commit_batch(batch)
        result: T = waiting.outcome()
        return result

    async def _commit_batch(self, batch: list[_Waiting]) -> None:
        try:
            await self._catch_up()
            async with self._reach():
                await self._run_until_committed(batch)
        except BaseException as exc:
            if isinstance(exc, (*UNREACHABLE, StoreUnavailable, asyncio.CancelledError)):
                # The commit may or may not have reached Redis: rebuild the copy from the log.
                self.at, self._stale = None, True
                self.replica.settle()
            for waiting in batch:
                if not waiting.done:
                    waiting.fail(exc if isinstance(exc, Exception) else StoreUnavailable(
                        "the commit was interrupted; its outcome is unknown"))
            raise

    async def _run_until_committed(self, batch: list[_Waiting]) -> None:
        for _ in range(MAX_ATTEMPTS):
            if self._stale:
                await self._catch_up()
            ops = self._run_batch(batch)
            if ops is None:  # a change failed midway: the others run again without it
                self._take_back_local_changes()
                batch = [waiting for waiting in batch if not waiting.done]
                continue
            if not ops:
                self.replica.settle()
                self._answer(batch)
                return
            notices = tuple(_dumps({"userId": user_id, "notice": notice})
                            for user_id, notice in self.replica.take_notices())
            kind = RESET if ops[0][0] == "reset" else APPEND
            reply = await self._log.call(self.at, kind, _dumps(ops), notices)
            if reply is not None and reply.committed:
                self.replica.settle()
                self.at = Position(reply.epoch, reply.era, reply.start)
                self.journal_era = reply.era
                self._answer(batch)
                if reply.start >= COMPACT_AFTER:
                    await self._compact()
                return
            self._take_back_local_changes()
            if reply is None:  # Redis was emptied meanwhile
                await self._start_log()
            else:
                self._take(reply)
        raise RuntimeError(f"no commit after {MAX_ATTEMPTS} attempts")

    def _run_batch(self, batch: list[_Waiting]) -> list[Op] | None:
        """Run every change of the batch on the local copy, each seeing those before it; the
        ops of all (from the last reset on: a reset starts a new log), or None if one failed
        midway (its caller is answered with its error)."""
        ops: list[Op] = []
        for waiting in batch:
            try:
                change_ops, waiting.result = self.replica.run_change(waiting.change)
                waiting.error = None
            except Exception as exc:
                if self.replica.failed_midway:  # it changed the local copy, then failed
                    waiting.fail(exc)
                    return None
                waiting.error = exc  # a rule said no: the answer, once the batch commits
                continue
            if change_ops and change_ops[0][0] == "reset":
                ops = []
            ops += change_ops
        return ops

    @staticmethod
    def _answer(batch: list[_Waiting]) -> None:
        for waiting in batch:
            waiting.done = True

    async def _compact(self) -> None:
        """Replace the log by what it amounts to: the world, a snapshot, the controls. The
        epoch moves on; the other workers rebuild from the message; the journal stays. If
        someone wrote meanwhile, nothing is written: compact another time."""
        reply = await self._log.call(self.at, COMPACT, _dumps(self.replica.snapshot_ops()))
        if reply is not None and reply.committed:
            self.at = Position(reply.epoch, reply.era, reply.start)
        elif reply is not None:
            self._take(reply)

    def _take_back_local_changes(self) -> None:
        """The local copy ran changes that were not committed: undo them, or else rebuild the
        copy from the log."""
        if not self.replica.rollback():
            self.at, self._stale = None, True

    # -- networking notices ------------------------------------------------------------------
    @property
    def listening(self) -> bool:
        return self._listener is not None and not self._listener.done()

    async def _listen(self) -> None:
        """Subscribe (again, after Redis was lost) to CHANNELS; the subscription is
        confirmed before this returns, so a change committed after it cannot go unnoticed.
        Requests that come meanwhile wait for that one subscription (a first burst of calls
        on a new worker would else open one each, and time out)."""
        if self.listening:
            return
        if self._subscribing is None:
            self._subscribing = asyncio.ensure_future(self._subscribe())
            self._subscribing.add_done_callback(self._subscribed)
        await asyncio.shield(self._subscribing)

    def _subscribed(self, attempt: asyncio.Future[None]) -> None:
        self._subscribing = None
        if not attempt.cancelled():
            attempt.exception()  # retrieved: whoever waited for it has seen it

    async def _subscribe(self) -> None:
        self._stale = True  # whatever happened while nobody listened
        pubsub = self._subscriber.pubsub()
        try:  # bounded: this client has no read timeout, and Redis may accept yet not answer
            async with asyncio.timeout(STORE_TIMEOUT_S):
                await pubsub.subscribe(*CHANNELS)
                confirmed = 0
                while confirmed < len(CHANNELS):
                    message = await pubsub.get_message(timeout=STORE_TIMEOUT_S)
                    confirmed += message is not None and message["type"] == "subscribe"
        except BaseException:
            await pubsub.aclose()
            raise
        self._listener = asyncio.get_running_loop().create_task(self._forward(pubsub))

    async def _forward(self, pubsub: redis.client.PubSub) -> None:
        try:
            async for message in pubsub.listen():
                if message["type"] != "message":
                    continue
                channel = message["channel"]
                if channel == CHANGES_B:
                    self._hear(message["data"])
                elif channel == NOTICES_B:
                    self._deliver_notice(message["data"])
                elif channel == HAND_OVER_B:
                    self.journal.hand_over(message["data"].decode(errors="replace"))
                else:
                    self.journal.handed_over(message["data"].decode(errors="replace"))
        except UNREACHABLE as exc:  # the next request subscribes again, or answers 503
            log.warning("lost the shared store's messages: %r", exc)
        finally:
            self._stale = True
            with contextlib.suppress(*UNREACHABLE):
                await pubsub.aclose()

    def _hear(self, data: bytes) -> None:
        """A commit announced: applied before the next request is answered (`sync`)."""
        news = News.parse(data)
        if news is None:
            self._stale = True
        else:
            self._news.append(news)

    def _deliver_notice(self, data: bytes) -> None:
        try:
            notice = json.loads(data)
            self.replica.deliver((int(notice["userId"]), notice["notice"]))
        except (ValueError, KeyError, TypeError):
            log.warning("ignored a malformed networking notice on %s", NOTICES)


    # -- the journal (Backend) -----------------------------------------------------------------
    def note(self, call: Answered) -> None:
        self.journal.add(call)

    async def journal_entries(self, since: int = 0, limit: int | None = None) -> list[JournalEntry]:
        return await self.journal.entries(since, limit)

    def forget_journal(self) -> None:
        """Nothing to do here: a reset's commit empties the shared journal with the old log."""

    async def close(self) -> None:
        """At shutdown: hand the journal's buffer to Redis, stop listening."""
        await self.journal.close()
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(BaseException):
                await self._listener
        with contextlib.suppress(*UNREACHABLE):
            await self.redis.aclose()
            await self._subscriber.aclose()
