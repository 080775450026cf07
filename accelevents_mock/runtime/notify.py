"""Pushing networking matches to connected clients (the documents' "socket notification").

Each WebSocket connection subscribes with its user id and gets only its own notices. A match
is also stored, so a client that was not connected loses nothing: it can poll
getNetworkingMatches.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict


class Notifier:
    def __init__(self) -> None:
        self._queues: dict[int, set[asyncio.Queue]] = defaultdict(set)

    def subscribe(self, user_id: int) -> asyncio.Queue:
        queue: asyncio.Queue = asyncio.Queue()
        self._queues[user_id].add(queue)
        return queue

    def unsubscribe(self, user_id: int, queue: asyncio.Queue) -> None:
        self._queues[user_id].discard(queue)
        if not self._queues[user_id]:
            del self._queues[user_id]

    def publish(self, user_id: int, message: dict) -> None:
        for queue in self._queues.get(user_id, ()):
            queue.put_nowait(message)

    def subscribers(self, user_id: int) -> int:
        return len(self._queues.get(user_id, ()))
