"""A real Redis server for the tests, on a free port in a temporary directory.

Debian's `redis-server` is installed by `make redis` (a dependency of `make test`).
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import hiredis
import httpx
import pytest
from redis.asyncio.connection import AbstractConnection

from accelevents_mock.app import MockApp, create_app
from accelevents_mock.config import MockConfig
from accelevents_mock.contract.cases import TOKENS
from accelevents_mock.store import shared_link
from tests.live import free_port


class RedisServer:
    """`redis-server` without persistence on one port, which can be stopped and started again."""

    def __init__(self, directory: str) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed: run `make redis` (or `make test`)")
        self.port = free_port()
        self._command = [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                         "--appendonly", "no", "--dir", directory]
        self._process: subprocess.Popen | None = None

    def start(self) -> None:
        self._process = subprocess.Popen(self._command, stdout=subprocess.DEVNULL,
                                         stderr=subprocess.DEVNULL)
        _wait_for_port(self.port, self._process)

    def pause(self, paused: bool = True) -> None:
        """Freeze the server (it still accepts connections, but answers nothing) or thaw it."""
        assert self._process is not None
        self._process.send_signal(signal.SIGSTOP if paused else signal.SIGCONT)

    def stop(self) -> None:
        if self._process is not None:
            self.pause(False)
            self._process.terminate()
            self._process.wait(timeout=10)
            self._process = None


@contextlib.contextmanager
def running_redis() -> Iterator[RedisServer]:
    with tempfile.TemporaryDirectory() as directory:
        server = RedisServer(directory)
        server.start()
        try:
            yield server
        finally:
            server.stop()


@contextlib.contextmanager
def redis_server() -> Iterator[int]:
    """Start `redis-server` without persistence; yields its port."""
    with running_redis() as server:
        yield server.port


def _wait_for_port(port: int, process: subprocess.Popen, timeout_s: float = 10) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("redis-server did not start")
        time.sleep(0.05)


def count_round_trips(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """Every command (or pipeline, or script call) this process sends to Redis from now on, as
    it goes out, through redis-py or a worker's own link (store/shared_link.py): each is one
    round trip."""
    sent: list[bytes] = []
    send = AbstractConnection.send_packed_command
    link_send = shared_link._Connection.send

    async def counted(self: Any, command: Any, check_health: bool = True) -> None:
        sent.append(command if isinstance(command, bytes) else b"".join(command))
        await send(self, command, check_health)

    def counted_on_link(self: Any, *command: Any) -> Any:
        sent.append(hiredis.pack_command(command))
        return link_send(self, *command)

    monkeypatch.setattr(AbstractConnection, "send_packed_command", counted)
    monkeypatch.setattr(shared_link._Connection, "send", counted_on_link)
    return sent


@contextlib.asynccontextmanager
async def in_process_mock(server: RedisServer, db: int
                          ) -> AsyncIterator[tuple[MockApp, httpx.AsyncClient]]:
    """A mock on `server`'s database `db`, in this process, and a client calling it as the
    attendee."""
    app = create_app(MockConfig(store=f"redis://127.0.0.1:{server.port}/{db}"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://mock",
                                 headers={"Authorization": TOKENS["attendee"]}) as client:
        yield app, client
    await app.state.close()
