"""The request journal of every worker on a shared store, kept off the request's path.

A request's entry goes into its worker's buffer (no round trip), and the buffer goes to Redis
in one script call about every FLUSH_AFTER_S while it holds anything, and at shutdown.

Reading the journal (GET /__mock/journal, on any worker) must still show every request already
answered by any worker. So a reader first asks for it: it publishes a hand-over request on
the hand-over channel; PUBLISH tells it how many workers (of every instance) received it; each of them
stores its buffer and then answers on the handed-over one. Once all have answered (within HANDOVER_S,
or the read answers 503: a worker that does not answer may hold answered requests), every entry
of a request answered before the read began is in Redis. A worker puts an entry in its buffer
before it sends the answer, and reads the request only after that, so none is missed.

Handed-over entries wait in a sorted set by the time they were answered; the reader moves them
into the journal list in that order, numbering them as it goes. So ids only grow down the list
(the panel polls with `since`), and calls are listed in the order they were answered: a call
answered while another worker was reading the journal may be listed after a later one.

A reset empties the journal with the log, and changes the journal's era: entries of an older
world, still in a buffer, are then dropped (by the worker, or by the script that stores them).
While Redis cannot be reached, a buffer keeps the newest `size` entries (the journal's own
size) and tries again every RETRY_AFTER_S; they are stored once Redis is back, unless the world
was reset meanwhile (an empty Redis starts a new world). Each entry carries a tag unique to it,
so a store that timed out yet was done is not listed twice when it is tried again. At
shutdown, what cannot be stored within the store's timeout is lost, and logged.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import time
from collections import deque
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

from accelevents_mock.http import dumps
from accelevents_mock.store import StoreUnavailable
from accelevents_mock.store.journal import Answered, JournalEntry, packed, unpacked
from accelevents_mock.store.keys import (
    JOURNAL,
    JOURNAL_ERA,
    JOURNAL_IDS,
    JOURNAL_LISTED,
    JOURNAL_NEW,
    Channels,
)

FLUSH_AFTER_S = 0.1  # a buffer goes to Redis this long after its first entry
RETRY_AFTER_S = 1.0  # after Redis could not take a buffer
HANDOVER_S = 1.0  # how long a reader waits for every worker's entries

log = logging.getLogger(__name__)

# Store a buffer: ARGV = era, size, then one line per entry, "answered-at-µs tag entry", the tag
# unique to the entry (one argument: far less for redis-py to pack than two per entry). Entries of
# an older world (the era moved on) are dropped, and so are entries listed already (a store that
# timed out, yet was done, then tried again).
_STORE = """
if (redis.call('GET', KEYS[1]) or '') ~= ARGV[1] then return 0 end
for line in string.gmatch(ARGV[3], '[^\\n]+') do
  local stamp_end = string.find(line, ' ', 1, true)
  local member = string.sub(line, stamp_end + 1)
  local tag = string.sub(member, 1, string.find(member, ' ', 1, true) - 1)
  if not redis.call('ZSCORE', KEYS[3], tag) then
    redis.call('ZADD', KEYS[2], string.sub(line, 1, stamp_end - 1), member)
  end
end
redis.call('ZREMRANGEBYRANK', KEYS[2], 0, -tonumber(ARGV[2]) - 1)
return 1
"""

# List the journal: first move the stored entries into it, oldest answer first, each with the
# next id, and keep their tags a while; keep the last ARGV[1] entries.
_LIST = """
local new = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
local count = #new / 2
if count > 0 then
  local first = redis.call('INCRBY', KEYS[3], count) - count
  for i = 1, count do
    local member, answered = new[2 * i - 1], new[2 * i]
    local space = string.find(member, ' ', 1, true)
    redis.call('RPUSH', KEYS[2], string.format('%d %s', first + i, string.sub(member, space + 1)))
    redis.call('ZADD', KEYS[4], answered, string.sub(member, 1, space - 1))
  end
  redis.call('DEL', KEYS[1])
  redis.call('LTRIM', KEYS[2], -tonumber(ARGV[1]), -1)
  redis.call('ZREMRANGEBYRANK', KEYS[4], 0, -4 * tonumber(ARGV[1]) - 1)
end
return redis.call('LRANGE', KEYS[2], 0, -1)
"""


class _Handover:
    """One reader's wait for every worker's entries."""

    workers: int | None

    def __init__(self) -> None:
        self.answers, self.workers = 0, None  # answers so far, of how many workers
        self.done = asyncio.Event()

    def count(self, answers: int = 0, workers: int | None = None) -> None:
        self.answers += answers
        self.workers = workers if workers is not None else self.workers
        if self.workers is not None and self.answers >= self.workers:
            self.done.set()


class SharedJournal:
    def __init__(self, client: Any, size: int, reach: Callable[[], AbstractAsyncContextManager[None]],
                 era: Callable[[], str | None], listen: Callable[[], Awaitable[None]],
                 channels: Channels) -> None:
        """`reach`: around each call to Redis (shared.Reach: StoreUnavailable when it cannot);
        `era`: the journal era this worker's world belongs to (None before it knows one);
        `listen`: makes sure this worker receives `channels`' hand-over messages."""
        self._redis, self.size, self._reach, self._era, self._listen = client, size, reach, era, listen
        self._channels = channels
        self._store, self._list = client.register_script(_STORE), client.register_script(_LIST)
        self._buffer: deque[tuple[int, int, Answered]] = deque(maxlen=size)
        self._buffer_era: str | None = None  # the era of every entry in the buffer
        self._tag, self._recorded = secrets.token_hex(4).encode(), 0  # tag each entry uniquely
        self._flushing = asyncio.Lock()  # one store at a time: a hand-over follows the one before
        self._timer: asyncio.TimerHandle | None = None
        self._handovers: dict[str, _Handover] = {}
        self._tasks: set[asyncio.Task] = set()  # held until done: the loop keeps weak references

    # -- writing ---------------------------------------------------------------------------------
    def add(self, call: Answered) -> None:
        """Add an entry, stamped with the time it was answered (its fields, `at` among them,
        worked out when it is stored); no round trip."""
        era = self._era()
        if era != self._buffer_era:  # the world was reset: entries of the old one go
            self._buffer.clear()
            self._buffer_era = era
        self._recorded += 1
        self._buffer.append((time.time_ns() // 1000, self._recorded, call))
        if self._timer is None:
            self._later(FLUSH_AFTER_S)

    def _later(self, delay: float) -> None:
        self._timer = asyncio.get_running_loop().call_later(delay, self._flush_now)

    def _flush_now(self) -> None:
        self._timer = None
        self._spawn(self._flush_quietly())

    def _spawn(self, work: Awaitable[None]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _flush_quietly(self) -> None:
        try:
            await self.flush()
        except StoreUnavailable as exc:
            log.debug("journal entries wait for Redis: %s", exc)
        except Exception:  # noqa: BLE001 - a background task: say what went wrong, go on
            log.exception("journal entries could not be stored")
        if self._buffer and self._timer is None:
            self._later(RETRY_AFTER_S)

    async def flush(self) -> None:
        """Store the buffer in Redis (StoreUnavailable, and the entries kept, if it cannot)."""
        async with self._flushing:
            if not self._buffer:
                return
            era, taken = self._buffer_era, list(self._buffer)
            self._buffer.clear()
            if era is None:
                return  # answered before this worker ever reached a world: nothing to join
            lines = b"\n".join([b"%d %s%012x %s" % (at, self._tag, number,
                                                   dumps(packed(at, call)))
                                 for at, number, call in taken])  # JSON has no raw \n
            try:
                async with self._reach():
                    await self._store(keys=[JOURNAL_ERA, JOURNAL_NEW, JOURNAL_LISTED],
                                      args=[era, self.size, lines])
            except StoreUnavailable:
                if self._buffer_era == era:  # kept for the next try, the newest `size` of them
                    self._buffer = deque(taken + list(self._buffer), maxlen=self.size)
                raise

    async def close(self) -> None:
        """At shutdown: store what the buffer holds, if Redis takes it in time."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        try:
            await self.flush()
        except StoreUnavailable as exc:
            log.warning("%d journal entries were lost at shutdown: %s", len(self._buffer), exc)

    # -- the hand-over ---------------------------------------------------------------------------
    def hand_over(self, reader: str) -> None:
        """A reader asked (hand-over): store the buffer, then tell it (handed-over)."""
        self._spawn(self._hand_over(reader))

    async def _hand_over(self, reader: str) -> None:
        try:
            await self.flush()
            async with self._reach():
                await self._redis.publish(self._channels.handed_over, reader)
        except StoreUnavailable as exc:  # the reader gives up too, and answers 503
            log.warning("could not hand over journal entries: %s", exc)

    def handed_over(self, reader: str) -> None:
        """A worker answered a reader (handed-over), perhaps this worker's."""
        handover = self._handovers.get(reader)
        if handover is not None:
            handover.count(answers=1)

    # -- reading ---------------------------------------------------------------------------------
    async def entries(self, since: int = 0, limit: int | None = None) -> list[JournalEntry]:
        await self.flush()  # this worker's own, even if nobody hears the hand-over
        reader, handover = secrets.token_hex(8), _Handover()
        self._handovers[reader] = handover
        try:
            async with self._reach():
                await self._listen()  # hears the answers: subscribed before asking
                handover.count(workers=await self._redis.publish(self._channels.hand_over, reader))
            try:
                async with asyncio.timeout(HANDOVER_S):
                    await handover.done.wait()
            except TimeoutError:
                raise StoreUnavailable(
                    f"only {handover.answers} of the {handover.workers} workers sharing this Redis "
                    f"handed over their journal entries within {HANDOVER_S} s") from None
            async with self._reach():
                raws = await self._list(keys=[JOURNAL_NEW, JOURNAL, JOURNAL_IDS, JOURNAL_LISTED],
                                        args=[self.size])
        finally:
            del self._handovers[reader]
        rows = []
        for raw in raws:
            entry_id, _, fields = raw.decode().partition(" ")
            if int(entry_id) > since:
                rows.append({"id": int(entry_id), **unpacked(json.loads(fields))})
        return rows[-limit:] if limit else rows

