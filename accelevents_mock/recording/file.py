"""The recording file: a deployment's answers, scrubbed of secrets and personal data, with
those that break the spec listed apart. `accelevents-mock record` and the proxy's
`--proxy-record` write it; `accelevents-mock --world DIR` serves it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from faker import Faker

from accelevents_mock.contract.schema import conformance_errors
from accelevents_mock.safety.redact import EMAIL, MASK

Exchange = dict[str, Any]  # one recorded request and its answer, as saved in recording.json

RECORDING_FILE = "recording.json"
NAME_KEYS = {"firstName": "first_name", "lastName": "last_name", "fullName": "name"}
PHONE_KEYS = {"phoneNumber", "phone", "phonenumber"}
SECRET_KEYS = {"streamKey", "playBackRestrictionToken", "thumbnailRestrictionToken",
               "meetingPassword", "JoinToken", "access_token", "token"}


class Scrubber:
    """Replaces personal data with Faker values, the same replacement for the same value, so
    a speaker keeps one name everywhere; secrets become opaque digests."""

    def __init__(self, secrets: Sequence[str], seed: int = 0) -> None:
        self.secrets = [s for s in secrets if s]
        self.fake = Faker()
        self.fake.seed_instance(seed)
        self.mapping: dict[tuple[str, str], str] = {}

    def _replace(self, kind: str, value: str) -> str:
        key = (kind, value)
        if key not in self.mapping:
            if kind == "email":
                self.mapping[key] = f"{self.fake.user_name()}{len(self.mapping)}@example.com"
            elif kind == "phone":
                self.mapping[key] = self.fake.numerify("+1-555-###-####")
            elif kind == "secret":
                self.mapping[key] = "scrubbed-" + hashlib.sha256(value.encode()).hexdigest()[:24]
            else:
                self.mapping[key] = getattr(self.fake, kind)()
        return self.mapping[key]

    def text(self, value: str) -> str:
        for secret in self.secrets:
            value = value.replace(secret, MASK)
        return EMAIL.sub(lambda m: self._replace("email", m.group(0)), value)

    def scrub_exchange(self, exchange: Exchange) -> Exchange:
        scrubbed: Exchange = self.scrub(exchange)  # type: ignore[assignment]  # same shape
        return scrubbed

    def scrub(self, node: object, key: str | None = None) -> object:
        if isinstance(node, dict):
            return {k: self.scrub(v, k) for k, v in node.items()}
        if isinstance(node, list):
            return [self.scrub(v, key) for v in node]
        if not isinstance(node, str) or not node:
            return node
        if key in SECRET_KEYS:
            return self._replace("secret", node)
        if key in NAME_KEYS:
            return self._replace(NAME_KEYS[key], node)
        if key in PHONE_KEYS:
            return self._replace("phone", node)
        return self.text(node)


def recording_document(target: str, eventurl: str, exchanges: list[Exchange]) -> dict:
    """A recording of scrubbed `exchanges`, with those that break the spec listed apart (the
    file `accelevents-mock --world DIR` serves; `--proxy-record` writes it too)."""
    mismatches = [{"operation": e["operation"], "path": e["path"], "status": e["status"],
                   "problems": problems}
                  for e in exchanges
                  if (problems := conformance_errors(e["operation"], e["status"], e["body"]))]
    return {
        "meta": {"target": urlsplit(target).netloc, "eventurl": eventurl,
                 "recordedAt": datetime.now(UTC).isoformat(), "requests": len(exchanges)},
        "exchanges": exchanges,
        "mismatches": mismatches,
    }


def save_recording(out: Path, recording: dict) -> None:
    out.mkdir(parents=True, exist_ok=True)
    partial = out / (RECORDING_FILE + ".partial")  # a reader never sees half a file
    partial.write_text(json.dumps(recording, indent=1, ensure_ascii=False))
    partial.replace(out / RECORDING_FILE)
