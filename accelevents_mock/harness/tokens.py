"""Tokens that expire mid-run: `--token-command CMD` prints a fresh attendee token, and the run
goes on with it. A token is never printed: each new one joins the run's redactor first."""

from __future__ import annotations

import subprocess
import threading
from collections import Counter

from accelevents_mock.contract.cases import Cases, Role
from accelevents_mock.safety.redact import Redactor

COMMAND_TIMEOUT = 60.0  # seconds


class TokenCommandFailed(RuntimeError):
    """The token command failed or printed nothing (its output is never shown: it may be a token)."""


class TokenRefresher:
    """Watches the attendee token's answers; on a 401 to a token that worked before, runs the
    command once and makes its output the attendee token of the run."""

    def __init__(self, command: str | None, cases: Cases, redactor: Redactor) -> None:
        self.command, self.cases, self.redactor = command, cases, redactor
        self.original = cases.token(Role.ATTENDEE)
        self.worked: set[str] = set()
        self.refreshes = 0
        self._lock = threading.Lock()

    @property
    def current(self) -> str | None:
        return self.cases.token(Role.ATTENDEE)

    def replacement(self, token: str | None) -> str | None:
        """The token to send instead of `token` (an earlier attendee token that was replaced)."""
        current = self.current
        if self.refreshes and token and token != current and token in self.worked:
            return current
        return None

    def observe(self, token: str | None, status: int) -> None:
        """Note the answer a request with `token` got; refresh after a 401 to one that worked."""
        if not token or token != self.current:
            return
        if status != 401:
            self.worked.add(token)
        elif self.command and token in self.worked:
            with self._lock:
                if token == self.current:  # another thread may have refreshed already
                    self.refresh()

    def refresh(self) -> str:
        assert self.command is not None
        try:
            done = subprocess.run(self.command, shell=True, capture_output=True, text=True,  # noqa: S602 - the user's own command line
                                  timeout=COMMAND_TIMEOUT, check=False)
        except subprocess.TimeoutExpired:
            raise TokenCommandFailed(f"--token-command did not finish in {COMMAND_TIMEOUT:.0f} s") from None
        token = done.stdout.strip()
        if done.returncode != 0 or not token:
            raise TokenCommandFailed(f"--token-command exited {done.returncode} "
                                     f"{'without printing a token' if not token else ''}".strip())
        self.redactor.add(token)
        self.cases.tokens[Role.ATTENDEE] = token
        self.refreshes += 1
        return token


def sent_token(headers: object) -> str | None:
    """The credential a request carried in `Authorization` (with or without `Bearer `)."""
    value = None
    for name, item in dict(headers or {}).items():  # type: ignore[call-overload]
        if str(name).lower() == "authorization":
            value = item[0] if isinstance(item, list) and item else item
    if not isinstance(value, str):
        return None
    return value.removeprefix("Bearer ").strip() or None


REFUSED = 401


class Refusals:
    """A token the target accepted (2xx) on an operation and later refused (401) on it: it
    expired or was revoked mid-run. The run says so, instead of blaming the target for each
    401 ("status 401, documented 404")."""

    def __init__(self, cases: Cases) -> None:
        self.cases = cases
        self.accepted: set[tuple[Role, str]] = set()
        self.answers: Counter[Role] = Counter()
        self.refused: Counter[Role] = Counter()
        self._lock = threading.Lock()

    def role_of(self, token: str | None) -> Role | None:
        roles = [role for role, value in self.cases.tokens.items()
                 if value and value == token and role != Role.UNKNOWN]
        return roles[0] if roles else None

    def observe(self, token: str | None, operation: str | None, status: int) -> None:
        role = self.role_of(token)
        if role is None or operation is None:
            return
        with self._lock:
            self.answers[role] += 1
            if status == REFUSED and (role, operation) in self.accepted:
                self.refused[role] += 1
            elif 200 <= status < 300:  # only a success proves the token was taken
                self.accepted.add((role, operation))

    def message(self) -> str | None:
        """One line per token that was refused after it had worked, or None."""
        lines = [f"the {role} token was refused during the run: {count} of {self.answers[role]} "
                 "answers to it were 401 on operations that had accepted it (expired or revoked?)"
                 for role, count in self.refused.items() if count]
        return "; ".join(lines) or None
