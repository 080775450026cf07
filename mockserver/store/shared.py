"""One world for many workers and instances, kept in Redis (`--store redis://host:port/db`).

The world itself is built from its seed in every process; what changes (registrations,
networking, the clock, scenarios, faults, resets) is a log of ops in Redis. Each entry of the
log is one committed change. A worker

- catches up before every request: one round trip reads the epoch (bumped by each reset) and
  the entries it has not applied yet, and replays them locally;
- writes with an optimistic transaction: WATCH the log, catch up, run the rule in Python on
  its up-to-date copy, then MULTI/RPUSH/EXEC. If another worker committed in between, EXEC
  fails, the local write is undone, and the rule runs again on the new state. So a
  check-then-write (capacity, session limit) can never act on stale counts: nothing is
  oversold, and the rules live once, in Python, not again in Lua.

Restarting a mock replays the log, so no registration is lost; a long log is compacted into a
snapshot of the state, so a restart stays quick and Redis stays small. The journal is a capped list
next to the log, and networking notices travel on a pub/sub channel to whichever worker holds
the attendee's socket.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from typing import Any, TypeVar

import redis.asyncio as redis
from redis.exceptions import WatchError

from mockserver.http import dumps as _dumps  # compact UTF-8 JSON, as the API answers
from mockserver.journal import JournalEntry
from mockserver.store.backend import Notice, Replica
from mockserver.store.memory import Op

T = TypeVar("T")
PREFIX = "accelevents-mock"
EPOCH, LOG = f"{PREFIX}:epoch", f"{PREFIX}:log"
JOURNAL, JOURNAL_IDS = f"{PREFIX}:journal", f"{PREFIX}:journal-ids"
NOTICES = f"{PREFIX}:notices"
MAX_ATTEMPTS = 200  # of one transaction; each failure means another worker made progress
COMPACT_AFTER = 5000  # log entries; then the log is replaced by one snapshot of the state

log = logging.getLogger(__name__)


class SharedBackend:
    """The `Backend` of a mock whose world is shared through Redis."""

    def __init__(self, url: str, replica: Replica, journal_size: int) -> None:
        # redis-py types each async command as "Awaitable | value": read its results as Any.
        self.redis: Any = redis.from_url(url)
        self.replica = replica
        self.epoch: int | None = None  # the reset this worker's copy follows...
        self.applied = 0  # ...and how many entries of its log the copy holds
        self.journal = SharedJournal(self.redis, journal_size)
        self._lock = asyncio.Lock()  # one sync or transaction at a time in this worker
        self._listener: asyncio.Task | None = None

    # -- reading -----------------------------------------------------------------------------
    async def sync(self) -> None:
        async with self._lock:
            await self._catch_up(self.redis)
            await self._listen_for_notices()

    async def _catch_up(self, conn: Any) -> None:
        """Bring the local copy up to the log: new entries, or a whole new epoch. `conn` is
        the client, or a pipeline WATCHing the log (whose commands run at once)."""
        watching = isinstance(conn, redis.client.Pipeline)  # a bool: conn stays Any for mypy
        if watching:
            epoch, entries = await conn.get(EPOCH), await conn.lrange(LOG, self.applied, -1)
        else:  # one round trip, read atomically
            async with conn.pipeline(transaction=True) as reader:
                epoch, entries = await reader.get(EPOCH).lrange(LOG, self.applied, -1).execute()
        if epoch is None:
            await self._start_log()
            return
        if int(epoch) != self.epoch:
            entries = await conn.lrange(LOG, 0, -1)
            self.epoch, self.applied = int(epoch), 0
        for entry in entries:
            for op in json.loads(entry):
                self.replica.apply(op)
            self.applied += 1

    async def _start_log(self) -> None:
        """An empty Redis: this worker's world (seed, size, anchor hour) becomes everyone's."""
        first = _dumps(self.replica.opening_ops())
        async with self.redis.pipeline(transaction=True) as pipe:
            await pipe.watch(EPOCH)
            if await pipe.get(EPOCH) is None:
                pipe.multi()
                pipe.delete(LOG, JOURNAL).rpush(LOG, first).set(EPOCH, 1)
                try:
                    await pipe.execute()
                    self.epoch, self.applied = 1, 1
                    return
                except WatchError:
                    pass  # another worker started it first: follow theirs
        self.epoch = None
        await self._catch_up(self.redis)

    # -- writing -----------------------------------------------------------------------------
    async def transact(self, change: Callable[[], T]) -> T:
        async with self._lock:
            for _ in range(MAX_ATTEMPTS):
                async with self.redis.pipeline(transaction=True) as pipe:
                    await pipe.watch(EPOCH, LOG)
                    await self._catch_up(pipe)
                    try:
                        ops, result = self.replica.record(change)
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
            pipe.delete(LOG, JOURNAL).rpush(LOG, _dumps(ops)).incr(EPOCH)
        else:
            pipe.rpush(LOG, _dumps(ops))
        try:
            replies = await pipe.execute()
        except WatchError:
            return False
        if new_epoch:
            self.epoch, self.applied = replies[-1], 1
        else:
            self.applied = replies[-1]
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
            pipe.delete(LOG).rpush(LOG, entry).incr(EPOCH)
            try:
                replies = await pipe.execute()
            except WatchError:
                return
        self.epoch, self.applied = replies[-1], 1

    def _take_back_local_change(self) -> None:
        """The local copy ran a change that was not committed: undo it, or else rebuild the
        copy from the log."""
        if not self.replica.rollback():
            self.epoch, self.applied = None, 0

    # -- the journal -------------------------------------------------------------------------
    async def note(self, **fields: object) -> None:
        await self.journal.record(**fields)

    async def journal_entries(self, since: int = 0, limit: int | None = None) -> list[JournalEntry]:
        return await self.journal.entries(since, limit)

    def forget_journal(self) -> None:
        """Nothing to do here: a reset's commit empties the shared journal with the old log."""

    # -- networking notices ------------------------------------------------------------------
    async def _publish(self, notices: list[Notice]) -> None:
        for user_id, notice in notices:
            await self.redis.publish(NOTICES, _dumps({"userId": user_id, "notice": notice}))

    async def _listen_for_notices(self) -> None:
        if self._listener is None:
            pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
            await pubsub.subscribe(NOTICES)
            self._listener = asyncio.get_running_loop().create_task(self._forward(pubsub))

    async def _forward(self, pubsub: redis.client.PubSub) -> None:
        async for message in pubsub.listen():
            try:
                data = json.loads(message["data"])
                self.replica.deliver((int(data["userId"]), data["notice"]))
            except (ValueError, KeyError, TypeError):
                log.warning("ignored a malformed networking notice on %s", NOTICES)


class SharedJournal:
    """The request journal of every worker: a capped Redis list with one id sequence."""

    # One round trip: take the next id, append the entry, trim to size.
    _RECORD = """
    local id = redis.call('INCR', KEYS[1])
    redis.call('RPUSH', KEYS[2], id .. ' ' .. ARGV[1])
    redis.call('LTRIM', KEYS[2], -tonumber(ARGV[2]), -1)
    return id
    """

    def __init__(self, client: Any, size: int) -> None:
        self._redis, self.size = client, size
        self._record = client.register_script(self._RECORD)

    async def record(self, **fields: object) -> None:
        await self._record(keys=[JOURNAL_IDS, JOURNAL], args=[_dumps(fields), self.size])

    async def entries(self, since: int = 0, limit: int | None = None) -> list[JournalEntry]:
        rows = []
        for raw in await self._redis.lrange(JOURNAL, 0, -1):
            entry_id, _, fields = raw.decode().partition(" ")
            if int(entry_id) > since:
                rows.append({"id": int(entry_id), **json.loads(fields)})
        return rows[-limit:] if limit else rows
