"""The verdict on what the target answered, remembered: judging a 24 kB session list against
the contract takes several ms, and a client polling an unchanged list gets the same bytes again.

Two memories, both keyed by everything the verdict depends on (operation, status, content type,
the body's bytes): each operation's latest answer, compared byte for byte (about 2 µs for 24 kB,
where hashing those bytes for a look-up costs 7 µs), and behind it a bounded LRU of recent ones.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

import orjson

from accelevents_mock.contract.verdicts import Violation, is_json, response_violations

CACHED_VERDICT_BYTES = 64 * 1024  # the verdicts of answers up to this size are remembered


class Judged(NamedTuple):
    status: int
    content_type: str | None
    content: bytes
    verdict: tuple[Violation, ...]


# operationId -> its latest answer judged: bounded by the operations openapi.yaml documents.
_latest: dict[str, Judged] = {}


def judge_answer(operation_id: str, status: int, content_type: str | None,
                 content: bytes) -> tuple[Violation, ...]:
    """The verdict on one answer (its raw body); the same answer gets the same verdict."""
    latest = _latest.get(operation_id)
    if (latest is not None and latest.status == status and latest.content_type == content_type
            and latest.content == content):
        return latest.verdict
    if len(content) > CACHED_VERDICT_BYTES:
        return _judge(operation_id, status, content_type, content)
    verdict = _judge_again(operation_id, status, content_type, content)
    _latest[operation_id] = Judged(status, content_type, content, verdict)
    return verdict


def _judge(operation_id: str, status: int, content_type: str | None,
           content: bytes) -> tuple[Violation, ...]:
    parsed = parse_json(content) if content and is_json(content_type) else None
    return tuple(response_violations(operation_id, status, content_type, parsed))


_judge_again = lru_cache(maxsize=256)(_judge)


def parse_json(content: bytes) -> object:
    try:
        return orjson.loads(content)
    except orjson.JSONDecodeError:
        return content.decode("utf-8", errors="replace")  # judged as a value of the wrong type
