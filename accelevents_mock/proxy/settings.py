"""What the proxy does: where it forwards, which operations, and what it does when that fails."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

from accelevents_mock.contract.spec import BASE_PATH

DEFAULT_TIMEOUT_S = 10.0
MAX_TIMEOUT_S = 600.0  # beyond it a caller would rather see the target as down
URL_SCHEMES = ("http://", "https://")


class InvalidSetting(ValueError):
    """A setting the proxy cannot work with; `setting` is its ProxySettings field."""

    def __init__(self, setting: str, message: str) -> None:
        super().__init__(message)
        self.setting = setting


class TokenMapError(ValueError):
    """A --proxy-token-map file that is not a JSON object of strings (never shows its values)."""


@dataclass
class ProxySettings:
    target: str | None = None  # the API base URL, ending in /rest; None: the mock answers all
    operations: frozenset[str] | None = None  # operationIds forwarded; None: every operation
    fallback: bool = False  # answer from the mock when the target fails (X-Mock-Source: mock-fallback)
    timeout_s: float = DEFAULT_TIMEOUT_S
    strict: bool = False  # an answer that breaks the contract becomes a 502
    allow_writes: bool = False  # forward non-GET calls too
    record_dir: Path | None = None  # save what passes through, as `accelevents-mock record` does
    # mock token -> staging token; never printed, logged or journaled (repr=False).
    token_map: dict[str, str] = field(default_factory=dict, repr=False)

    def validate(self, known_operations: Iterable[str]) -> None:
        """InvalidSetting naming the setting and what is wrong, for the command line and the
        control API alike."""
        if self.target is not None and not is_api_base(self.target):
            shown = display(self.target) if isinstance(self.target, str) else repr(self.target)
            raise InvalidSetting("target", f"the target must be an http(s) URL ending in the "
                                 f"API's base path {BASE_PATH}, such as "
                                 f"https://staging.example{BASE_PATH} (not {shown:.200})")
        if self.operations is not None:
            unknown = sorted(self.operations - set(known_operations))
            if unknown:
                raise InvalidSetting("operations", f"unknown operationId(s): {', '.join(unknown)}"
                                     f"; one of {', '.join(sorted(known_operations))}")
        timeout = self.timeout_s
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) \
                or not 0 < timeout <= MAX_TIMEOUT_S:
            raise InvalidSetting("timeout_s", f"the timeout must be a number of seconds above 0 "
                                 f"and at most {MAX_TIMEOUT_S:g}")

    def forwards(self, operation_id: str) -> bool:
        return self.target is not None and (self.operations is None or operation_id in self.operations)

    def copy(self) -> ProxySettings:
        return replace(self, token_map=dict(self.token_map))


def read_token_map(path: Path) -> dict[str, str]:
    """A JSON object {"mock token": "staging token", ...}."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise TokenMapError(f"{path}: not a readable JSON file ({type(exc).__name__})") from None
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) and v
                                             for k, v in data.items()):
        raise TokenMapError(f"{path}: must be a JSON object of mock token -> staging token strings")
    return data


def parse_operations(text: str, known: set[str]) -> frozenset[str] | None:
    """`listSessions,getSession` (or '' / '*' for all); ValueError naming unknown operationIds."""
    names = frozenset(name.strip() for name in text.split(",") if name.strip())
    if not names or names == {"*"}:
        return None
    unknown = sorted(names - known)
    if unknown:
        raise ValueError(f"unknown operationId(s): {', '.join(unknown)}")
    return names


def is_api_base(target: object) -> bool:
    """An http(s) URL with a host whose path ends in the API's base path (and nothing after)."""
    if not isinstance(target, str) or not target.startswith(URL_SCHEMES):
        return False
    try:
        parts = urlsplit(target)
        parts.port  # noqa: B018  # raises on a port that is no number
    except ValueError:
        return False
    return bool(parts.hostname) and not parts.query and not parts.fragment \
        and parts.path.rstrip("/").endswith(BASE_PATH)


def display(target: str | None) -> str:
    """The target without any credentials in its URL."""
    parts = urlsplit(target or "")
    return f"{parts.scheme}://{parts.hostname}{f':{parts.port}' if parts.port else ''}{parts.path}"
