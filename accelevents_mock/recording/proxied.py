"""`--proxy-record DIR`: what the target answered to GET calls, saved as `accelevents-mock record`
saves it (scrubbed, same file), so `accelevents-mock --world DIR` serves it later."""

from __future__ import annotations

import re
from pathlib import Path

from accelevents_mock.recording.file import Exchange, Scrubber, recording_document, save_recording

EVENTURL = re.compile(r"/events?/([^/]+)/")


class ProxyRecorder:
    def __init__(self, out: Path, target: str, known_tokens: list[str]) -> None:
        self.out, self.target = out, target
        self.scrubber = Scrubber(known_tokens)  # one scrubber: a person keeps one fake name
        self.exchanges: list[Exchange] = []
        self.eventurl: str | None = None

    def add(self, operation: str, path: str, status: int, body: object,
            tokens: list[str]) -> None:
        """One GET (path below the base path, with its query) and its JSON answer; `tokens`
        (the caller's and the one sent on) are scrubbed wherever they appear."""
        for token in tokens:
            if token and token not in self.scrubber.secrets:
                self.scrubber.secrets.append(token)
        found = EVENTURL.match(path)
        if self.eventurl is None and found:
            self.eventurl = found.group(1)
        self.exchanges.append(self.scrubber.scrub_exchange(
            {"operation": operation, "method": "GET", "path": path, "status": status,
             "body": body}))
        save_recording(self.out, recording_document(self.target, self.eventurl or "",
                                                    self.exchanges))
