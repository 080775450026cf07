"""The shared store's change log in Redis: one script call per change, and its news.

A change is committed by one call of `COMMIT` (EVALSHA: one round trip), in one of two ways:

- ORDER appends the entry whatever came before it: its ops are the API's writes themselves,
  which every copy runs, rules and all, in the log's order (so a rule is always checked on the
  state the write lands on, and nothing is oversold);
- APPEND (and RESET, COMPACT) appends it only if the caller's copy holds the whole log (the
  same epoch, the same length): a compare-and-append, for changes recorded as the writes they
  made. Otherwise it writes nothing and answers with the entries the copy lacks, so the caller
  catches up in that same round trip, then runs the change again. Called with no entry, it is
  the catch-up read alone.

Each commit is published on the changes' channel with the entry itself, as
`epoch index era entry`; the networking notices an appended change sent go out in the same
call. So a worker learns of a change and applies it from the message, without reading the log:
a read makes no round trip, even after a change. A message it cannot place (a gap, an older
epoch) only sends it to the log instead. The first entry of every log (started, reset or
compacted) rebuilds the whole state by itself.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass
from typing import Any

from accelevents_mock.store.keys import EPOCH, JOURNAL_ERA, JOURNAL_KEYS, LOG, Channels
from accelevents_mock.store.shared_link import Link

APPEND, RESET, COMPACT, READ = "append", "reset", "compact", ""  # what a call does to the log
ORDER = "order"  # append, whatever came before: every copy runs the entry's ops in the log's order

# KEYS: the epoch, the log, the journal era, then what a reset empties (the journal).
# ARGV: the changes' channel, the notices' channel, the caller's epoch and log length (which
# ORDER does not read), the kind of call, the entry, then the notices to publish.
COMMIT = """
local epoch = redis.call('GET', KEYS[1])
if not epoch then return {'empty'} end
local era = redis.call('GET', KEYS[3]) or ''
if ARGV[5] == 'order' then
  local length = redis.call('RPUSH', KEYS[2], ARGV[6])
  redis.call('PUBLISH', ARGV[1], epoch .. ' ' .. length .. ' ' .. era .. ' ' .. ARGV[6])
  return {'ordered', epoch, era, length}
end
if epoch ~= ARGV[3] then
  return {'behind', epoch, era, 0, redis.call('LRANGE', KEYS[2], 0, -1)}
end
local applied = tonumber(ARGV[4])
if ARGV[5] == '' or redis.call('LLEN', KEYS[2]) ~= applied then
  return {'behind', epoch, era, applied, redis.call('LRANGE', KEYS[2], applied, -1)}
end
if ARGV[5] ~= 'append' then
  redis.call('DEL', KEYS[2])
  redis.call('INCR', KEYS[1])
  epoch = redis.call('GET', KEYS[1])  -- as a string: Lua would print a large number as 1e+14
  if ARGV[5] == 'reset' then
    redis.call('DEL', unpack(KEYS, 4, #KEYS))
    redis.call('INCR', KEYS[3])
    era = redis.call('GET', KEYS[3])
  end
end
local length = redis.call('RPUSH', KEYS[2], ARGV[6])
redis.call('PUBLISH', ARGV[1], epoch .. ' ' .. length .. ' ' .. era .. ' ' .. ARGV[6])
for i = 7, #ARGV do redis.call('PUBLISH', ARGV[2], ARGV[i]) end
return {'done', epoch, era, length}
"""
_KEYS = [EPOCH, LOG, JOURNAL_ERA, *JOURNAL_KEYS]
SHA = hashlib.sha1(COMMIT.encode()).hexdigest()


@dataclass(frozen=True)
class Position:
    """Where a copy (or the log) stands: the epoch, the era of its journal, the entries held."""

    epoch: int
    era: str
    length: int


@dataclass(frozen=True)
class Reply:
    """What a call answered: committed (`entries` empty, `start` the new entry's index), or
    not, with the entries from `start` on that the caller lacks; None: Redis holds no log.
    ORDER's: committed, `start` the new entry's index."""

    committed: bool
    epoch: int
    era: str
    start: int
    entries: list[bytes]


class SharedLog:
    def __init__(self, link: Link, channels: Channels) -> None:
        self._link, self._channels = link, channels

    async def call(self, copy: Position | None, kind: str, entry: bytes = b"",
                   notices: tuple[bytes, ...] = ()) -> Reply | None:
        """Append `entry` (a change, a reset or a compaction) if `copy` holds the whole log;
        with kind READ, or when it does not, answer what it lacks. One round trip."""
        where = [copy.epoch, copy.length] if copy is not None else ["", 0]
        channels = [self._channels.changes, self._channels.notices]
        raw = await self._link.run_script(COMMIT, SHA, _KEYS,
                                          [*channels, *where, kind, entry, *notices])
        return self.reply(raw)

    def order(self, entry: bytes) -> asyncio.Future[Any]:
        """Append `entry` whatever came before it (its ops are run by every copy in the log's
        order, this one's too, from the message): one script call on the open link, not
        awaited here. Its raw reply (`reply` reads it) comes in the future."""
        return self._link.send("EVALSHA", SHA, len(_KEYS), *_KEYS, self._channels.changes,
                               self._channels.notices, "", 0, ORDER, entry)

    @staticmethod
    def reply(raw: Any) -> Reply | None:
        if raw[0] == b"empty":
            return None
        era = raw[2].decode()
        if raw[0] in (b"done", b"ordered"):
            return Reply(True, int(raw[1]), era, int(raw[3]), [])
        return Reply(False, int(raw[1]), era, int(raw[3]), raw[4])


@dataclass(frozen=True)
class News:
    """One commit as the changes' channel announced it."""

    epoch: int
    index: int  # 1-based: the log's length once the entry was appended
    era: str
    entry: bytes

    @classmethod
    def parse(cls, data: bytes) -> News | None:
        """None for a message without an entry (the log was started): read the log then."""
        parts = data.split(b" ", 3)
        if len(parts) != 4:
            return None
        try:
            return cls(int(parts[0]), int(parts[1]), parts[2].decode(), parts[3])
        except ValueError:
            return None

    def follows(self, copy: Position | None) -> bool:
        """Whether a copy at `copy` can apply this entry now: the next one of its log, or the
        first of a newer log (which rebuilds everything by itself)."""
        if copy is None:
            return False
        if self.epoch == copy.epoch:
            return self.index == copy.length + 1
        return self.index == 1 and self.epoch > copy.epoch

    def seen(self, copy: Position | None) -> bool:
        """Already held: this worker's own commit, or one read from the log since."""
        return copy is not None and self.epoch == copy.epoch and self.index <= copy.length
