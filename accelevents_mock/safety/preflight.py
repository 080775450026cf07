"""Pre-flight: before a command that talks to a deployment sends its first real request, the
URL has the API's base path, the target answers like the API, and each token given is accepted.
Otherwise one line names the URL or the token's role and what came back, and the command stops
(`accelevents-mock test`, `drift` and `record` exit 2; the proxy can call `check` the same way).

One GET of the session list per token (`?size=1`) is all it sends; a target that answers nothing
fails in seconds, not after a run of refused connections."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import httpx

from accelevents_mock.contract.spec import BASE_PATH
from accelevents_mock.safety.redact import Redactor
from accelevents_mock.terminal.usage import UsageError

TIMEOUT_S = 5.0  # per request: a dead or stalled target fails within seconds
REFUSED = frozenset({401, 403})
PROBE_EVENT = "accelevents-mock-no-such-event"  # when no event is named: a 404 still proves the token
_passed: set[tuple[str, ...]] = set()  # checks that passed in this process (the CLI, then pytest)


class PreflightError(UsageError):
    """The target or a token cannot work; the message is the one line to print."""


def api_base_url(url: str, flag: str, base_path: str = BASE_PATH) -> str:
    """`http://host:8080` and `http://host:8080/rest/` both mean the API at `.../rest`; any other
    path is a mistake (every call would miss the API), as is a URL without http(s) and a host."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"{flag} {shown(url)!r}: expected an http(s) URL of the API, "
                         f"e.g. http://127.0.0.1:8080{base_path}")
    path = parts.path.rstrip("/")
    if not path:
        path = base_path
    if not path.endswith(base_path):
        raise UsageError(f"{flag} {shown(url)!r}: the API lives under {base_path}; expected a URL "
                         f"ending in {base_path}, e.g. {parts.scheme}://{parts.netloc}{base_path}")
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def shown(url: str) -> str:
    """A URL as it may be printed: no credentials in it, no query."""
    parts = urlsplit(url)
    if not parts.hostname:
        return url.split("?", 1)[0]
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname}{port}{parts.path}"


@dataclass(frozen=True)
class Token:
    role: str  # e.g. "attendee token (--token)"
    value: str


def check(api_base: str, tokens: Mapping[str, str | None], eventurl: str | None = None, *,
          flag: str = "--base-url", client: httpx.Client | None = None) -> None:
    """Raise PreflightError unless the target at `api_base` answers like the API and every token
    (role -> token) is accepted. `eventurl` is the event the run is about, if known."""
    given: list[Token | None] = [Token(role, value) for role, value in tokens.items() if value]
    key = (api_base, eventurl or "", *sorted(f"{t.role}={t.value}" for t in given if t))
    if key in _passed:
        return
    redactor = Redactor([t.value for t in given if t])
    path = f"/events/{eventurl or PROBE_EVENT}/session"
    own = client is None
    client = client or httpx.Client(base_url=api_base, timeout=TIMEOUT_S, follow_redirects=False)
    try:
        for token in given or [None]:
            _probe(client, api_base, path, token, flag, redactor, eventurl)
    finally:
        if own:
            client.close()
    _passed.add(key)


def _probe(client: httpx.Client, api_base: str, path: str, token: Token | None, flag: str,
           redactor: Redactor, eventurl: str | None) -> None:
    headers = {"Authorization": token.value} if token else {}
    try:
        response = client.get(path, params={"size": 1}, headers=headers)
    except httpx.TimeoutException:
        raise PreflightError(f"{flag} {shown(api_base)}: no answer within {TIMEOUT_S:.0f} s; "
                             "is the target up, and is the URL right?") from None
    except httpx.HTTPError as exc:
        reason = redactor.text(str(exc)) or type(exc).__name__
        raise PreflightError(f"{flag} {shown(api_base)}: cannot reach the target ({reason}); "
                             "start it or correct the URL") from None
    code = error_code(response)
    if token is not None and response.status_code in REFUSED:
        raise PreflightError(f"the {token.role} was refused: {response.status_code} {code or ''}"
                             .rstrip() + f" (GET {shown(api_base)}{path}); give a token the "
                             "target accepts")
    if eventurl and response.status_code == 404 and code is not None:
        raise PreflightError(f"the event {eventurl!r} is not on {shown(api_base)}: 404 {code}; "
                             "expected the url (slug) of an event the target holds (--event-url)")
    if response.status_code >= 500 or (response.status_code >= 400 and code is None):
        raise PreflightError(f"{flag} {shown(api_base)} does not answer like the API: "
                             f"{response.status_code} to GET {path}"
                             f"{'' if code else ' without the JSON error body'}; is the URL "
                             f"the API's base URL (ending in {BASE_PATH})?")


def error_code(response: httpx.Response) -> str | None:
    """The documented error body's `errorCode`, if the answer has one."""
    try:
        body = json.loads(response.content or b"null")
    except ValueError:
        return None
    code = body.get("errorCode") if isinstance(body, dict) else None
    return str(code) if code is not None else None
