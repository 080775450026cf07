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
from pathlib import Path

import httpx


@dataclass
class LiveMock:
    base_url: str
    output: str = ""  # everything it printed, once the block has ended
    log: Path | None = None

    def output_so_far(self) -> str:
        """What it has printed until now (its banner, once it is up)."""
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log else self.output


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running_mock(*args: str, timeout_s: float = 15) -> Iterator[LiveMock]:
    """`python -m accelevents_mock` on a free port, until the block ends; output kept for asserts."""
    port = free_port()
    # A file, not a pipe: an unread pipe fills up with access logs and stalls the server.
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "mock.log"
        with path.open("w") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "accelevents_mock", "--port", str(port), *args],
                stdout=log, stderr=subprocess.STDOUT, text=True)
        live = LiveMock(f"http://127.0.0.1:{port}", log=path)
        try:
            wait_until_up(live, process, timeout_s)
            yield live
        finally:
            process.terminate()
            process.wait(timeout=10)
            live.output = live.output_so_far()
            live.log = None


def wait_until_up(live: LiveMock, process: subprocess.Popen, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            httpx.get(f"{live.base_url}/__mock", timeout=1)
            return
        except httpx.TransportError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the mock did not start") from None
            time.sleep(0.1)
