"""`accelevents-mock record`: walk a deployment's read-only operations and save what it answers,
scrubbed of secrets and personal data, and checked against the spec.

    accelevents-mock record --target https://staging.example/rest --token T --host-token H \
        --event-url my-event --out fixtures/recorded/staging

Only GET requests are sent, at most `--rate-limit` (default 5/s) and `--max-requests` in all.
"""

from __future__ import annotations

import argparse
import sys
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
from accelevents_mock.safety.throttle import RATE_HELP, SAFE_RATE, BudgetExhausted, Throttle, rate_argument


class Walker:
    """GETs within a request and rate budget."""

    def __init__(self, client: httpx.Client, rate: str | None, max_requests: int) -> None:
        self.client = client
        self.throttle = Throttle(rate, max_requests)
        self.exchanges: list[Exchange] = []

    def get(self, operation: str, path: str, token: str, params: dict | None = None) -> object:
        try:
            self.throttle.acquire()
        except BudgetExhausted:
            return None
        response = self.client.get(path, params=params, headers={"Authorization": token})
        body = response.json() if response.content else None
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
           rate: str | None = SAFE_RATE, max_requests: int = 200, max_sessions: int = 50) -> dict:
    with httpx.Client(base_url=target.rstrip("/"), timeout=30) as client:
        walker = Walker(client, rate, max_requests)
        walk(walker, eventurl, token, host_token, max_sessions)
    scrubber = Scrubber([token, host_token or ""])
    recording = recording_document(target, eventurl,
                                   [scrubber.scrub_exchange(e) for e in walker.exchanges])
    save_recording(out, recording)
    return recording


def _at_least_one(text: str) -> int:
    value = int(text)
    if value < 1:  # the throttle reads a budget of 0 as "no limit"
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


EXAMPLE = """example (`make run`'s mock as the deployment):
  accelevents-mock record --target http://127.0.0.1:8080/rest --token attendee-token \\
      --host-token host-token --event-url mock-event --out /tmp/recorded
"""


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="accelevents-mock record", description=__doc__,
                                epilog=EXAMPLE, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--target", required=True, help="the API base URL, ending in /rest")
    p.add_argument("--token", required=True, help="an attendee's token")
    p.add_argument("--host-token", help="an event admin's token (adds host analytics)")
    p.add_argument("--event-url", required=True, help="the event's url (slug) to record")
    p.add_argument("--out", required=True, type=Path,
                   help="folder to write the recording into (served by `accelevents-mock --world`)")
    p.add_argument("--rate-limit", type=rate_argument, default=SAFE_RATE, metavar="N/s",
                   help=f"{RATE_HELP}; default {SAFE_RATE}")
    p.add_argument("--max-requests", type=_at_least_one, default=200,
                   help="most requests to send in all (default %(default)s)")
    p.add_argument("--max-sessions", type=int, default=50,
                   help="most sessions to record in detail (default %(default)s)")
    return p


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    return parser().parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    recording = record_deployment(args.target, args.token, args.host_token, args.event_url, args.out,
                       rate=args.rate_limit, max_requests=args.max_requests,
                       max_sessions=args.max_sessions)
    print(f"recorded {recording['meta']['requests']} responses into {args.out / RECORDING_FILE}")
    for m in recording["mismatches"]:
        print(f"  spec mismatch: {m['operation']} {m['status']} {m['path']}: {m['problems'][:3]}")
    sys.exit(0)
