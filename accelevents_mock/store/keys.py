"""The names the shared store (`--store redis://`) uses in Redis: keys and pub/sub channels."""

from dataclasses import dataclass

PREFIX = "accelevents-mock"
EPOCH, LOG = f"{PREFIX}:epoch", f"{PREFIX}:log"  # the change log, and the reset it follows
JOURNAL = f"{PREFIX}:journal"  # "id entry" lines, oldest first, as GET /__mock/journal lists them
JOURNAL_IDS = f"{PREFIX}:journal-ids"  # the last id given to a journal entry
JOURNAL_NEW = f"{PREFIX}:journal-new"  # entries handed over by workers, not listed yet (by answer time)
JOURNAL_LISTED = f"{PREFIX}:journal-listed"  # the latest listed entries' tags: a retried store skips them
JOURNAL_ERA = f"{PREFIX}:journal-era"  # changes with each reset: entries of an older world go
JOURNAL_KEYS = (JOURNAL, JOURNAL_NEW, JOURNAL_LISTED)  # what a reset empties


@dataclass(frozen=True)
class Channels:
    """The pub/sub channels of the world kept in one database. Redis has one namespace of
    channels per server, not per database: mocks on db 1 must not hear those on db 0."""

    changes: str  # one message per commit to the log or the epoch
    notices: str  # networking notices, for whichever worker holds the socket
    hand_over: str  # a reader asks every worker for its journal entries...
    handed_over: str  # ...and each answers once they are in Redis

    @property
    def all(self) -> tuple[str, ...]:
        return (self.changes, self.notices, self.hand_over, self.handed_over)


def channels(db: int) -> Channels:
    return Channels(*(f"{PREFIX}:{db}:{name}"
                      for name in ("changes", "notices", "journal-hand-over", "journal-handed-over")))
