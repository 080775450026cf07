"""Where the mock keeps what changes: in memory (`memory.py`) or shared through Redis (`shared.py`)."""


class StoreUnavailable(Exception):
    """The shared store cannot be reached (or did not answer in time). The API answers 503 in
    the documented error body with Retry-After until it can; nothing needs restarting."""


RETRY_AFTER_S = 1  # what a 503 for an unreachable store tells clients to wait
