"""The names the shared store (`--store redis://`) uses in Redis: keys and pub/sub channels."""

PREFIX = "accelevents-mock"
EPOCH, LOG = f"{PREFIX}:epoch", f"{PREFIX}:log"  # the change log, and the reset it follows
JOURNAL = f"{PREFIX}:journal"  # "id entry" lines, oldest first, as GET /__mock/journal lists them
JOURNAL_IDS = f"{PREFIX}:journal-ids"  # the last id given to a journal entry
JOURNAL_NEW = f"{PREFIX}:journal-new"  # entries handed over by workers, not listed yet (by answer time)
JOURNAL_LISTED = f"{PREFIX}:journal-listed"  # the latest listed entries' tags: a retried store skips them
JOURNAL_ERA = f"{PREFIX}:journal-era"  # changes with each reset: entries of an older world go
NOTICES = f"{PREFIX}:notices"  # networking notices, for whichever worker holds the socket
CHANGES = f"{PREFIX}:changes"  # one message per commit to the log or the epoch
HAND_OVER = f"{PREFIX}:journal-hand-over"  # a reader asks every worker for its journal entries...
HANDED_OVER = f"{PREFIX}:journal-handed-over"  # ...and each answers once they are in Redis
JOURNAL_KEYS = (JOURNAL, JOURNAL_NEW, JOURNAL_LISTED)  # what a reset empties
