"""`accelevents-mock record`: walk a deployment's read-only operations and save what it answers,
scrubbed of secrets and personal data, and checked against the spec.

    accelevents-mock record --target https://staging.example/rest --token T --host-token H \
        --event-url my-event --out fixtures/recorded/staging

Only GET requests are sent, at most `--rate-limit` (default 5/s) and `--max-requests` in all.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import httpx

from accelevents_mock.recording.file import (
    RECORDING_FILE,
    Exchange,
    Scrubber,
    recording_document,
    save_recording,
)
from accelevents_mock.safety.preflight import REFUSED, api_base_url, check, error_code, shown
from accelevents_mock.safety.redact import Redactor
from accelevents_mock.safety.throttle import RATE_HELP, SAFE_RATE, BudgetExhausted, Throttle, rate_argument
from accelevents_mock.terminal.progress import Progress
from accelevents_mock.terminal.usage import OneLineParser, UsageError, stop

PROG = "accelevents-mock record"
EXIT_UNUSABLE = 1  # the target refused a token mid-way, went away, or answered nothing usable


class Unusable(RuntimeError):
    """The recording would not be a deployment's answers; the message says why (no token in it)."""


class Walker:
    """GETs within a request and rate budget; stops at the first refused token."""

    def __init__(self, client: httpx.Client, rate: str | None, max_requests: int,
                 redactor: Redactor | None = None) -> None:
        self.client = client
        self.throttle = Throttle(rate, max_requests)
        self.exchanges: list[Exchange] = []
        self.redactor = redactor or Redactor()
        self.stopped: str | None = None  # why the walk ended before it was through
        self.roles: dict[str, str] = {}  # token -> "attendee" or "host", for messages

    def get(self, operation: str, path: str, token: str, params: dict | None = None) -> object:
        try:
            self.throttle.acquire()
        except BudgetExhausted:
            self.stopped = self.stopped or f"stopped at --max-requests {self.throttle.budget}"
            return None
        try:
            response = self.client.get(path, params=params, headers={"Authorization": token})
        except httpx.HTTPError as exc:
            raise Unusable(f"the target stopped answering: {self.redactor.text(str(exc))} "
                           f"(GET {path}); nothing was saved") from None
        if response.status_code in REFUSED:
            role = self.roles.get(token, "a")
            raise Unusable(f"the {role} token was refused mid-way: {response.status_code} "
                           f"{error_code(response) or ''} to GET {path}; nothing was saved "
                           "(did it expire?)")
        try:
            body = response.json() if response.content else None
        except ValueError:
            body = None
        query = ("?" + str(response.request.url.query, "ascii")) if response.request.url.query else ""
        self.exchanges.append({"operation": operation, "method": "GET", "path": path + query,
                               "status": response.status_code, "body": body})
        return body if response.status_code == 200 else None


def walk(walker: Walker, eventurl: str, token: str, host_token: str | None,
         max_sessions: int) -> None:
    events = f"/events/{eventurl}"
    session_ids: list[int] = []
    page = 0
    while len(session_ids) < max_sessions:
        body = walker.get("listSessions", f"{events}/session", token,
                          {"page": page, "size": 50, "expand": "stats"})
        data = body.get("data", []) if isinstance(body, dict) else []
        session_ids += [s["sessionId"] for s in data if "sessionId" in s]
        if len(data) < 50:
            break
        page += 1
    walker.get("getRegisteredSessions", f"{events}/user-session/registered", token)
    for session_id in session_ids[:max_sessions]:
        walker.get("getSession", f"{events}/session/v2/{session_id}", token, {"expand": "stats"})
        if host_token:
            walker.get("getSessionAnalytics",
                       f"/host/event/{eventurl}/session/{session_id}/analytics", host_token,
                       {"expand": "stats,registerdHolderUsers,speaker"})


def record_deployment(target: str, token: str, host_token: str | None, eventurl: str, out: Path, *,
                      rate: str | None = SAFE_RATE, max_requests: int = 200, max_sessions: int = 50,
                      quiet: bool = True) -> dict:
    """Walk, check the answers are usable, then save (Unusable: nothing saved)."""
    with httpx.Client(base_url=target.rstrip("/"), timeout=30) as client, \
            Progress("record", max_requests, quiet=quiet) as progress:
        walker = Walker(client, rate, max_requests, Redactor([token, host_token]))
        walker.throttle.on_send = progress.advance
        walker.roles = {token: "attendee", **({host_token: "host"} if host_token else {})}
        walk(walker, eventurl, token, host_token, max_sessions)
    usable(walker.exchanges)
    scrubber = Scrubber([token, host_token or ""])
    recording = recording_document(target, eventurl,
                                   [scrubber.scrub_exchange(e) for e in walker.exchanges])
    recording["meta"]["stopped"] = walker.stopped
    save_recording(out, recording)
    return recording


def usable(exchanges: list[Exchange]) -> None:
    """A recording needs the session list, answered 200 with sessions in it."""
    statuses = Counter(e["status"] for e in exchanges)
    listed = [e for e in exchanges if e["operation"] == "listSessions" and e["status"] == 200
              and isinstance(e["body"], dict) and e["body"].get("data")]
    if not listed:
        seen = ", ".join(f"{status} x{count}" for status, count in sorted(statuses.items()))
        raise Unusable(f"nothing usable: the session list never came back with sessions "
                       f"({seen or 'no answer'}); is --event-url right? Nothing was saved")


def _at_least_one(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:  # the throttle reads a budget of 0 as "no limit"
        raise argparse.ArgumentTypeError(f"{text!r}: expected a whole number, 1 or more")
    return value


def _folder(text: str) -> Path:
    path = Path(text).expanduser()
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r} is a file; expected a folder (created if missing)")
    return path


EXAMPLE = """example (`make run`'s mock as the deployment):
  accelevents-mock record --target http://127.0.0.1:8080/rest --token attendee-token \\
      --host-token host-token --event-url mock-event --out /tmp/recorded
"""


def parser() -> argparse.ArgumentParser:
    p = OneLineParser(prog=PROG, description=__doc__,
                                epilog=EXAMPLE, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--target", required=True, help="the API base URL, ending in /rest")
    p.add_argument("--token", required=True, help="an attendee's token")
    p.add_argument("--host-token", help="an event admin's token (adds host analytics)")
    p.add_argument("--event-url", required=True, help="the event's url (slug) to record")
    p.add_argument("--out", required=True, type=_folder,
                   help="folder to write the recording into (served by `accelevents-mock --world`)")
    p.add_argument("--rate-limit", type=rate_argument, default=SAFE_RATE, metavar="N/s",
                   help=f"{RATE_HELP}; default {SAFE_RATE}")
    p.add_argument("--max-requests", type=_at_least_one, default=200,
                   help="most requests to send in all (default %(default)s)")
    p.add_argument("--max-sessions", type=_at_least_one, default=50,
                   help="most sessions to record in detail (default %(default)s)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress lines")
    return p


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    return parser().parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    """Exit 0 with a recording; 2 for a usage mistake, a dead target or a refused token (the
    pre-flight); 1 when the walk itself went wrong (nothing is saved then)."""
    args = parse_args(argv)
    try:
        target = api_base_url(args.target, "--target")
        check(target, {"attendee token (--token)": args.token,
                       "host token (--host-token)": args.host_token}, args.event_url,
              flag="--target")
    except UsageError as exc:
        stop(PROG, str(exc))
    try:
        recording = record_deployment(target, args.token, args.host_token, args.event_url, args.out,
                                      rate=args.rate_limit, max_requests=args.max_requests,
                                      max_sessions=args.max_sessions, quiet=args.quiet)
    except Unusable as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        sys.exit(EXIT_UNUSABLE)
    print(f"recorded {recording['meta']['requests']} responses from {shown(target)} into "
          f"{args.out / RECORDING_FILE}")
    stopped = recording["meta"]["stopped"]
    print(f"{stopped}: raise it to record every session" if stopped else
          "finished: every session up to --max-sessions recorded")
    for m in recording["mismatches"]:
        print(f"  spec mismatch: {m['operation']} {m['status']} {m['path']}: {m['problems'][:3]}")
    sys.exit(0)
