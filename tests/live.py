"""Running the mock as a real process on a free port, for tests that need real HTTP."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx


@dataclass
class LiveMock:
    base_url: str
    output: str = ""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running_mock(*args: str, timeout_s: float = 15) -> Iterator[LiveMock]:
    """`python -m mockserver` on a free port, until the block ends; output kept for asserts."""
    port = free_port()
    # A file, not a pipe: an unread pipe fills up with access logs and stalls the server.
    with tempfile.TemporaryFile(mode="w+") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "mockserver", "--port", str(port), *args],
            stdout=log, stderr=subprocess.STDOUT, text=True)
        live = LiveMock(f"http://127.0.0.1:{port}")
        try:
            _wait_until_up(live, process, timeout_s)
            yield live
        finally:
            process.terminate()
            process.wait(timeout=10)
            log.seek(0)
            live.output = log.read()


def _wait_until_up(live: LiveMock, process: subprocess.Popen, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            httpx.get(f"{live.base_url}/__mock", timeout=1)
            return
        except httpx.TransportError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the mock did not start") from None
            time.sleep(0.1)
