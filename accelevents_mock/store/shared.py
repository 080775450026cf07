"""One world for many workers and instances, kept in Redis (`--store redis://host:port/db`).

The world itself is built from its seed in every process; what changes (registrations,
networking, the clock, scenarios, faults, resets) is a log of ops in Redis (`shared_log.py`).
Each entry of the log is one committed change. A worker

- learns of every committed change by a message on its database's changes channel, published
  by the same script call that commits it, and carrying the entry: it applies the entry from
  the message, as the message is read (`shared_link.py`: one RESP3 connection per worker, for
  its calls and these messages), so a read makes no round trip, even after a change. Only a
  message it cannot place (a gap, after Redis was lost) sends it to read the log: one round
  trip. The message reaches every subscriber's socket as Redis commits the change, before the
  writer can answer its client, so a change answered by one worker is seen by the next request
  to any other;
- orders the API's writes (`Ordered`: register, un-register, join, networking status): one
  script call appends them whatever came before, and every worker runs each one itself, rules
  and all, in the log's order (state-machine replication); the worker that took the request
  answers it when it runs it, from the entry's message. One round trip, never a retry, and the
  rules live once, in Python: nothing is oversold;
- commits the control API's changes by compare-and-append: it runs the change in Python on its
  up-to-date copy, then one script call appends the writes it made if that copy still holds
  the whole log. If another worker committed in between, nothing is written, the local change
  is undone, the entries it missed come back in the same reply, and the change runs again.

Restarting a mock replays the log, so no registration is lost; a long log is compacted into a
snapshot of the state, so a restart stays quick and Redis stays small. The journal is a capped list
next to the log, written behind the requests (`shared_journal.py`), and networking notices reach
the sockets of every worker: a replayed write sends its own where it runs, a control change's
travel on the notices channel.

When Redis cannot be reached, every call gives up within `STORE_TIMEOUT_S` with
`StoreUnavailable` (the API answers 503); the next call tries again, so service comes back by
itself with Redis.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import secrets
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any, TypeVar

import redis.asyncio as redis
from redis.asyncio.connection import parse_url
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError, WatchError
from redis.exceptions import TimeoutError as RedisTimeoutError

from accelevents_mock.http import dumps as _dumps  # compact UTF-8 JSON, as the API answers
from accelevents_mock.store import StoreUnavailable
from accelevents_mock.store.backend import ORDERED, Ordered, Replica
from accelevents_mock.store.journal import Answered, JournalEntry
from accelevents_mock.store.keys import (
    EPOCH,
    JOURNAL_ERA,
    JOURNAL_KEYS,
    LOG,
    channels,
)
from accelevents_mock.store.memory import Op
from accelevents_mock.store.shared_journal import SharedJournal
from accelevents_mock.store.shared_link import Link, ReplyError, check
from accelevents_mock.store.shared_log import (
    APPEND,
    COMMIT,
    COMPACT,
    READ,
    RESET,
    News,
    Position,
    Reply,
    SharedLog,
)

T = TypeVar("T")
MAX_ATTEMPTS = 200  # of one commit; each failure means another worker made progress
MAX_BATCH = 64  # changes committed together at most
ANSWER_WITHIN_S = 3.0  # an ordered write not run by then answers 503 (never a hang)
IN_FLIGHT = 4  # ORDERs on their way at once: more wait for one to be answered, and go together
COMPACT_AFTER = 5000  # log entries; then the log is replaced by one snapshot of the state
STORE_TIMEOUT_S = 0.6  # to connect, or for one reply: then Redis counts as unreachable (503)
PROBE_AFTER_S = 0.5  # after Redis was found unreachable, how long calls fail without trying
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)  # OSError: TimeoutError too

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
    requests queued behind one that waited still answer in time); then the next one tries.
    Used as `async with reach():` (a plain class: it is on every commit's path)."""

    def __init__(self) -> None:
        self._down_until = 0.0

    def __call__(self) -> Reach:
        return self

    async def __aenter__(self) -> None:
        self.check()

    def check(self) -> None:
        """StoreUnavailable while Redis was found out of reach a moment ago."""
        if time.monotonic() < self._down_until:
            raise StoreUnavailable("the shared store (Redis) cannot be reached; trying again shortly")

    async def __aexit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                        traceback: object) -> None:
        if isinstance(exc, UNREACHABLE):
            self.failed()
            raise StoreUnavailable(f"the shared store (Redis) cannot be reached: {exc!r}") from exc

    def failed(self) -> None:
        self._down_until = time.monotonic() + PROBE_AFTER_S


class _Waiting:
    """A change waiting to be committed, and once it is, its outcome."""

    __slots__ = ("change", "result", "error", "done", "answered")

    def __init__(self, change: Callable[[], Any], answered: asyncio.Future[None]) -> None:
        self.change = change
        self.result: Any = None
        self.error: Exception | None = None
        self.done = False
        self.answered = answered  # resolved once `done`: wakes the request that waits

    def fail(self, error: Exception) -> None:
        self.error = error
        self.finish()

    def finish(self) -> None:
        self.done = True
        if not self.answered.done():  # else its request was cancelled meanwhile
            self.answered.set_result(None)

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
        self._reach = Reach()
        self.channels = channels(parse_url(url).get("db", 0))
        self._link = Link(url, STORE_TIMEOUT_S, self.channels.all, self._message, self._opened,
                          scripts=(COMMIT,))
        self._log = SharedLog(self._link, self.channels)
        self.replica = replica
        self.at: Position | None = None  # where this worker's copy stands in the log (None: rebuild)
        self.journal_era: str | None = None  # changes with each reset (keys.JOURNAL_ERA)
        self.journal = SharedJournal(self.redis, journal_size, self._reach,
                                     lambda: self.journal_era, self._link.open, self.channels)
        self._lock = asyncio.Lock()  # one catch-up or change at a time in this worker
        self._news: deque[News] = deque()  # commits announced, not applied yet
        self._queue: list[_Waiting] = []  # changes waiting for the next commit
        self._committer: asyncio.Task[None] | None = None  # commits the queue, batch by batch
        self._outbox: list[list[Any]] = []  # ordered writes' ops, to go in the next ORDER
        self._orders_in_flight = 0  # ORDERs sent, not answered yet (at most IN_FLIGHT)
        self._mine: dict[str, _Waiting] = {}  # this worker's ordered writes, by tag, till run
        worker = secrets.token_hex(4)  # tags this worker's writes apart from others'
        self._tags = (f"{worker}.{n}" for n in itertools.count())
        self._tasks: set[asyncio.Task[None]] = set()  # held until done (the loop keeps weak ones)
        self._once: set[str] = set()  # what runs in the background at most once at a time
        self._handlers: dict[bytes, Callable[[bytes], None]] = {  # by channel, as Redis names it
            self.channels.changes.encode(): self._hear,
            self.channels.notices.encode(): self._deliver_notice,
            self.channels.hand_over.encode(): self._hand_over,
            self.channels.handed_over.encode(): self._handed_over,
        }
        self._stale = True  # the log may hold entries this copy lacks, and no message says which

    # -- reading -----------------------------------------------------------------------------
    @contextlib.asynccontextmanager
    async def _exclusive(self) -> AsyncIterator[None]:
        """The lock for one catch-up or change at a time. While it is held, news wait (`_hear`);
        as it is let go, they are applied: a write of this worker's waiting for its message is
        never left to time out because the message came while a compaction held the lock."""
        async with self._lock:
            try:
                yield
            finally:
                self._apply_news()


    async def sync(self) -> None:
        if not self._link.is_open:
            async with self._reach():
                await self._link.open()
        # A change answered by another worker was on this worker's socket before the request
        # was: the loop has read it already (Link reads messages as they come, not in a task).
        if not self._news and not self._stale:
            return
        async with self._exclusive():
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
                if self._mine:  # writes of this worker's wait to be run: read it now
                    self._spawn_once(self._catch_up_now)
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
        self._apply(reply.entries, replaying=not reply.start)
        self.at = Position(reply.epoch, reply.era, reply.start + len(reply.entries))
        self.journal_era = reply.era

    def _apply(self, entries: list[bytes], replaying: bool = False) -> None:
        """`replaying`: the log from its start, which a copy rebuilds from, not news: the
        networking notices its writes sent were delivered long ago. This worker's own ordered
        writes are run here too, in their turn, and answered with their outcome."""
        mine = self._mine
        for entry in entries:
            for op in json.loads(entry):
                waiting = mine.pop(op[4], None) if mine and op[0] == ORDERED else None
                if waiting is None:
                    self.replica.apply(op, announce=not replaying)
                    continue
                try:
                    waiting.result = self.replica.perform(op)
                except Exception as exc:  # noqa: BLE001 - the answer to this write
                    waiting.error = exc
                waiting.finish()

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
                pipe.publish(self.channels.changes, b"")
                with contextlib.suppress(WatchError):  # else another worker started it first
                    await pipe.execute()
        reply = await self._log.call(None, READ)
        if reply is not None:
            self._take(reply)

    # -- writing -----------------------------------------------------------------------------
    async def transact(self, change: Callable[[], T]) -> T:
        """An `Ordered` change goes in the next ORDER (`_order`). Any other is committed by
        compare-and-append: those that wait while this worker commits others go together in
        the next commit (group commit: one round trip for the batch), batch after batch, by
        one task. Each is answered once it is committed."""
        loop = asyncio.get_running_loop()
        waiting = _Waiting(change, loop.create_future())
        if isinstance(change, Ordered):
            tag = await self._order(waiting, change)
        else:
            self._queue.append(waiting)
            if self._committer is None:
                self._committer = loop.create_task(self._commit_queue())
            await waiting.answered  # a reset may build a large world: no bound here
            return waiting.outcome()
        try:
            async with asyncio.timeout(ANSWER_WITHIN_S):
                await waiting.answered
        except TimeoutError:  # never a hang, whatever went astray
            self._mine.pop(tag, None)
            raise StoreUnavailable(f"this write was not confirmed within {ANSWER_WITHIN_S} s; it "
                                   "may or may not have been made") from None
        result: T = waiting.outcome()
        return result

    # -- ordered writes ------------------------------------------------------------------------
    async def _order(self, waiting: _Waiting, change: Ordered) -> str:
        """Put the write's op in the next ORDER: every write asked for in this turn of the
        event loop goes in one entry (one round trip for all), sent at the turn's end without
        waiting for the entries before it to be answered. The write is answered once this
        worker runs it, in its turn, from the entry's message (`_apply`): never raced, never
        retried. Its tag: how this worker knows it again."""
        if not self._link.is_open:
            async with self._reach():
                await self._link.open()
        self._reach.check()
        tag = next(self._tags)
        self._mine[tag] = waiting
        self._to_outbox([[*change.op, tag]])
        return tag

    def _to_outbox(self, ops: list[list[Any]]) -> None:
        """Ops for the next ORDER, sent at the end of this turn unless IN_FLIGHT are on their
        way (then when one is answered)."""
        if not self._outbox and self._orders_in_flight < IN_FLIGHT:
            asyncio.get_running_loop().call_soon(self._send_orders)
        self._outbox.extend(ops)

    def _send_orders(self) -> None:
        if not self._outbox:
            return
        ops, self._outbox = self._outbox, []
        self._orders_in_flight += 1
        tags = [op[4] for op in ops]
        try:
            reply = self._log.order(_dumps(ops))
        except ConnectionError as exc:  # the link was lost this very turn
            self._orders_in_flight -= 1
            self._unanswered(tags, exc)
            return
        reply.add_done_callback(lambda done: self._ordered(tags, ops, done))

    def _ordered(self, tags: list[str], ops: list[list[Any]], done: asyncio.Future[Any]) -> None:
        """ORDER's reply. Its message came before it, on the same link: the writes have run
        already, unless news wait behind a commit of this worker's (`_lock`)."""
        self._orders_in_flight -= 1
        self._send_orders()  # what waited meanwhile
        error = done.exception()
        if error is None:
            try:
                reply = SharedLog.reply(check(done.result()))
            except ReplyError as exc:
                error = exc
        if error is not None:
            self._unanswered(tags, error)
            self._link.drop()  # whatever it was, the next call starts afresh
            return
        if reply is None:  # Redis was emptied: nothing was appended; start a log, order again
            self._spawn(self._order_again(ops))
        elif reply.start >= COMPACT_AFTER:
            self._spawn_once(self._compact_later)

    def _unanswered(self, tags: list[str], error: BaseException) -> None:
        """Ordered writes whose ORDER got no reply: they may or may not be in the log."""
        self._reach.failed()
        self._stale = True
        for tag in tags:
            waiting = self._mine.pop(tag, None)
            if waiting is not None:
                waiting.fail(StoreUnavailable(
                    f"the shared store (Redis) did not confirm this write ({error!r}); it may "
                    "or may not have been made"))

    async def _order_again(self, ops: list[list[Any]]) -> None:
        try:
            async with self._exclusive(), self._reach():
                await self._start_log()
        except StoreUnavailable as exc:
            self._unanswered([op[4] for op in ops], exc)
            return
        self._to_outbox([op for op in ops if op[4] in self._mine])

    async def _compact_later(self) -> None:
        """Spawned once at a time: under load, ORDER replies past COMPACT_AFTER come by the
        dozen."""
        try:
            async with self._exclusive(), self._reach():
                await self._catch_up()
                if self.at is not None and self.at.length >= COMPACT_AFTER:
                    await self._compact()
        except StoreUnavailable as exc:
            log.debug("the log is compacted another time: %s", exc)

    async def _catch_up_now(self) -> None:
        try:
            async with self._exclusive():
                await self._catch_up()
        except StoreUnavailable as exc:  # the writes waiting answer 503 in time
            log.debug("could not read the log: %s", exc)

    def _spawn(self, work: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def _spawn_once(self, work: Callable[[], Coroutine[Any, Any, None]]) -> None:
        """Run `work` in the background, unless it runs already."""
        name = work.__name__
        if name not in self._once:
            self._once.add(name)
            self._spawn(work()).add_done_callback(lambda _: self._once.discard(name))

    async def _commit_queue(self) -> None:
        try:
            async with self._exclusive():
                while self._queue:
                    batch, self._queue = self._queue[:MAX_BATCH], self._queue[MAX_BATCH:]
                    with contextlib.suppress(Exception):  # each change of the batch has it
                        await self._commit_batch(batch)
        finally:
            self._committer = None
            stranded, self._queue = self._queue, []  # left only when cancelled: at shutdown
            for waiting in stranded:
                waiting.fail(StoreUnavailable("the mock stopped before committing this change"))

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
            waiting.finish()

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

    # -- messages ------------------------------------------------------------------------------
    def _opened(self) -> None:
        """The link was (re)opened and subscribed: whatever was sent while it was closed was
        missed, so the log says what this copy lacks."""
        self._stale = True

    def _message(self, channel: bytes, data: bytes) -> None:
        self._handlers[channel](data)

    def _hand_over(self, reader: bytes) -> None:
        self.journal.hand_over(reader.decode(errors="replace"))

    def _handed_over(self, reader: bytes) -> None:
        self.journal.handed_over(reader.decode(errors="replace"))

    def _hear(self, data: bytes) -> None:
        """A commit announced: applied now, unless this worker is committing (then before its
        next request is answered, `sync`), so a networking notice a write sent reaches the
        sockets this worker holds at once."""
        news = News.parse(data)
        if news is None:
            self._stale = True
            return
        self._news.append(news)
        if not self._lock.locked():
            self._apply_news()

    def _deliver_notice(self, data: bytes) -> None:
        try:
            notice = json.loads(data)
            self.replica.deliver((int(notice["userId"]), notice["notice"]))
        except (ValueError, KeyError, TypeError):
            log.warning("ignored a malformed networking notice on %s", self.channels.notices)


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
        self._link.close()
        with contextlib.suppress(*UNREACHABLE):
            await self.redis.aclose()
