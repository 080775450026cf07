"""One world for many workers and instances, kept in Redis (`--store redis://host:port/db`).

The world itself is built from its seed in every process; what changes (registrations,
networking, the clock, scenarios, faults, resets) is a log of ops in Redis. Each entry of the
log is one committed change. A worker

- learns of every committed change by a message on a pub/sub channel (published inside the
  same MULTI as the change), and only then catches up: one round trip reads the epoch (bumped by
  each reset) and the entries it has not applied yet, and replays them locally. While nothing
  changes, a read makes no round trip for the log. The message reaches every subscriber's socket
  as Redis commits the change, before the writer can answer its client; a worker reads its
  socket before it answers a request (`sync`), so a change answered by one worker is seen by
  the next request to any other;
- writes with an optimistic transaction: WATCH the log, catch up, run the rule in Python on
  its up-to-date copy, then MULTI/RPUSH/EXEC. If another worker committed in between, EXEC
  fails, the local write is undone, and the rule runs again on the new state. So a
  check-then-write (capacity, session limit) can never act on stale counts: nothing is
  oversold, and the rules live once, in Python, not again in Lua.

Restarting a mock replays the log, so no registration is lost; a long log is compacted into a
snapshot of the state, so a restart stays quick and Redis stays small. The journal is a capped list
next to the log, written behind the requests (`shared_journal.py`), and networking notices
travel on a pub/sub channel to whichever worker holds the attendee's socket.

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
from accelevents_mock.store.backend import Notice, Replica
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

T = TypeVar("T")
MAX_ATTEMPTS = 200  # of one transaction; each failure means another worker made progress
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


class SharedBackend:
    """The `Backend` of a mock whose world is shared through Redis."""

    def __init__(self, url: str, replica: Replica, journal_size: int) -> None:
        # No retries with back-off (the default waits seconds): the next request retries.
        options = {"socket_connect_timeout": STORE_TIMEOUT_S, "retry": Retry(NoBackoff(), 0)}
        # redis-py types each async command as "Awaitable | value": read its results as Any.
        self.redis: Any = redis.from_url(url, socket_timeout=STORE_TIMEOUT_S, **options)
        self._subscriber = redis.from_url(url, **options)  # no read timeout: it waits for news
        self._reach = Reach()
        self.replica = replica
        self.epoch: int | None = None  # the reset this worker's copy follows...
        self.applied = 0  # ...and how many entries of its log the copy holds
        self.journal_era: str | None = None  # changes with each reset (keys.JOURNAL_ERA)
        self.journal = SharedJournal(self.redis, journal_size, self._reach,
                                     lambda: self.journal_era, self._listen)
        self._lock = asyncio.Lock()  # one sync or transaction at a time in this worker
        self._listener: asyncio.Task | None = None  # reads CHANNELS
        self._stale = True  # the log may hold entries this copy lacks

    # -- reading -----------------------------------------------------------------------------
    async def sync(self) -> None:
        if not self.listening:
            async with self._reach():
                await self._listen()
        # A change message already on this worker's socket is read by the listener first.
        await asyncio.sleep(0)
        if not self._stale:
            return
        async with self._lock, self._reach():
            self._stale = False  # cleared before the read: a change meanwhile sets it again
            try:
                await self._catch_up(self.redis)
            except BaseException:
                self._stale = True
                raise

    async def _catch_up(self, conn: Any) -> None:
        """Bring the local copy up to the log: new entries, or a whole new epoch. `conn` is
        the client, or a pipeline WATCHing the log (whose commands run at once)."""
        watching = isinstance(conn, redis.client.Pipeline)  # a bool: conn stays Any for mypy
        if watching:
            (epoch, era) = await conn.mget(EPOCH, JOURNAL_ERA)
            entries = await conn.lrange(LOG, self.applied, -1)
        else:  # one round trip, read atomically
            async with conn.pipeline(transaction=True) as reader:
                (epoch, era), entries = await reader.mget(EPOCH, JOURNAL_ERA).lrange(
                    LOG, self.applied, -1).execute()
        if epoch is None:
            await self._start_log()
            return
        self.journal_era = era.decode() if era is not None else ""  # "": a log from before eras
        if int(epoch) != self.epoch:
            entries = await conn.lrange(LOG, 0, -1)
            self.epoch, self.applied = int(epoch), 0
        for entry in entries:
            for op in json.loads(entry):
                self.replica.apply(op)
            self.applied += 1

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
        self.epoch = None
        await self._catch_up(self.redis)

    # -- writing -----------------------------------------------------------------------------
    async def transact(self, change: Callable[[], T]) -> T:
        async with self._lock, self._reach():
            try:
                return await self._run_until_committed(change)
            except (*UNREACHABLE, asyncio.CancelledError):
                # The commit may or may not have reached Redis: rebuild the copy from the log.
                self.epoch, self.applied, self._stale = None, 0, True
                raise

    async def _run_until_committed(self, change: Callable[[], T]) -> T:
        for _ in range(MAX_ATTEMPTS):
            async with self.redis.pipeline(transaction=True) as pipe:
                await pipe.watch(EPOCH, LOG)
                await self._catch_up(pipe)
                try:
                    ops, result = self.replica.run_change(change)
                except Exception:
                    if self.replica.failed_midway:  # it changed the local copy, then failed
                        self._take_back_local_change()
                    raise
                if not ops:
                    return result
                if await self._commit(pipe, ops):
                    await self._publish(self.replica.take_notices())
                    if self.applied >= COMPACT_AFTER:
                        await self._compact()
                    return result
            self._take_back_local_change()
        raise RuntimeError(f"no commit after {MAX_ATTEMPTS} attempts")

    async def _commit(self, pipe: Any, ops: list[Op]) -> bool:
        new_epoch = ops[0][0] == "reset"
        pipe.multi()
        if new_epoch:  # a reset starts a new log, and forgets the journal with the old world
            pipe.delete(LOG, *JOURNAL_KEYS).rpush(LOG, _dumps(ops)).incr(JOURNAL_ERA).incr(EPOCH)
        else:
            pipe.rpush(LOG, _dumps(ops))
        pipe.publish(CHANGES, b"")
        try:
            replies = await pipe.execute()
        except WatchError:
            return False
        if new_epoch:
            self.epoch, self.applied, self.journal_era = replies[-2], 1, str(replies[-3])
        else:
            self.applied = replies[-2]
        return True

    async def _compact(self) -> None:
        """Replace the log by what it amounts to: the world, a snapshot, the controls. The
        epoch moves on, so other workers rebuild from it; the journal stays."""
        entry = _dumps(self.replica.snapshot_ops())
        async with self.redis.pipeline(transaction=True) as pipe:
            await pipe.watch(EPOCH, LOG)
            if int(await pipe.get(EPOCH) or 0) != self.epoch or await pipe.llen(LOG) != self.applied:
                return  # someone wrote meanwhile: compact another time
            pipe.multi()
            pipe.delete(LOG).rpush(LOG, entry).incr(EPOCH).publish(CHANGES, b"")
            try:
                replies = await pipe.execute()
            except WatchError:
                return
        self.epoch, self.applied = replies[-2], 1

    def _take_back_local_change(self) -> None:
        """The local copy ran a change that was not committed: undo it, or else rebuild the
        copy from the log."""
        if not self.replica.rollback():
            self.epoch, self.applied = None, 0

    # -- networking notices ------------------------------------------------------------------
    async def _publish(self, notices: list[Notice]) -> None:
        for user_id, notice in notices:
            await self.redis.publish(NOTICES, _dumps({"userId": user_id, "notice": notice}))

    @property
    def listening(self) -> bool:
        return self._listener is not None and not self._listener.done()

    async def _listen(self) -> None:
        """Subscribe (again, after Redis was lost) to CHANNELS; the subscription is
        confirmed before this returns, so a change committed after it cannot go unnoticed."""
        if self.listening:
            return
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
                    self._stale = True
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
