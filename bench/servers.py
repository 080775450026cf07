"""The servers under test: the processes the bench starts, watches and stops (our mock, Prism,
Mockoon, WireMock, the ceiling, Redis), and the names their rows of figures go by."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "openapi.yaml"
PRISM_DIR = ROOT / "bench" / ".prism"
PRISM_BIN = PRISM_DIR / "node_modules" / ".bin" / "prism"
PRISM_PACKAGE = "@stoplight/prism-cli@5"
TOOLS_DIR = ROOT / "bench" / ".tools"  # other npm-installed references, one folder each
HEADERS = {"Authorization": "attendee-token"}

# The rows of figures, by server (the references are measured, never judged).
ONE_WORKER = "ours-1"  # our mock as it starts by default: one worker, in memory
COMPUTED = "ours-1-nc"  # one worker without the response cache (--no-response-cache)
REDIS_ONE = "ours-1-redis"  # one worker on the Redis store
PROXIED = "ours-proxy"  # ours as the validating proxy in front of a second ours-1
REFERENCES = ("prism", "mockoon", "wiremock", "ceiling")
# The JSON's key for the servers measured: named before they were called servers, and kept so
# that earlier runs' files read the same.
MEASURED = "targets"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(port: int, method: str, path: str, timeout: float = 5.0) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, headers=HEADERS)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def get(port: int, path: str, timeout: float = 5.0) -> tuple[int, bytes]:
    return request(port, "GET", path, timeout)


def _children(pid: int) -> list[int]:
    found = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            text = (task / "children").read_text().split()
            found += [int(c) for c in text]
    except OSError:
        pass
    return found


def process_tree(pid: int) -> list[int]:
    tree, todo = [], [pid]
    while todo:
        p = todo.pop()
        tree.append(p)
        todo += _children(p)
    return tree


def cpu_s(pid: int) -> float:
    """CPU seconds (user + system) used so far by a process and all its descendants."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for p in process_tree(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / tick


def rss_mb(pid: int) -> float:
    """VmRSS of a process and all its descendants (uvicorn's supervisor and its workers)."""
    total_kb = 0
    for p in process_tree(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kb += int(line.split()[1])
        except OSError:
            continue
    return total_kb / 1024


@dataclass
class Server:
    """One server process; `base` is what its paths start with (Prism ignores `servers`)."""

    name: str
    cmd: list[str]
    port: int
    base: str = "/rest"
    env: dict = field(default_factory=dict)
    proc: subprocess.Popen | None = None
    log: Path | None = None
    started: float = 0.0

    def start(self, log_dir: Path) -> None:
        self.log = log_dir / f"{self.name}.log"
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            self.cmd, cwd=ROOT, stdout=self.log.open("wb"), stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, env={**os.environ, **self.env}, start_new_session=True)

    def wait_ready(self, path: str, timeout: float = 60.0, poll: float = 0.01) -> float:
        """Seconds from the spawn until `path` answers 200 (raises if the process dies first)."""
        started = self.started
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}:\n"
                                   + self.log_tail())
            try:
                status, _ = get(self.port, self.base + path, timeout=2)
                if status == 200:
                    return time.perf_counter() - started
            except OSError:
                pass
            if time.perf_counter() - started > timeout:
                raise RuntimeError(f"{self.name} did not answer 200 on {path} in {timeout:.0f} s:\n"
                                   + self.log_tail())
            time.sleep(poll)

    def log_tail(self, lines: int = 20) -> str:
        if self.log is None or not self.log.exists():
            return ""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    @property
    def pid(self) -> int:
        return self.proc.pid

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)  # its own session: workers go too
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        except ProcessLookupError:
            pass


def ours(port: int, *, sessions: int | None = None, workers: int | None = None,
         store: str | None = None, cached: bool = True, name: str = "ours",
         proxy: str | None = None) -> Server:
    cmd = [sys.executable, "-m", "accelevents_mock", "--host", "127.0.0.1", "--port", str(port),
           "--log-level", "warning"]
    if sessions is not None:
        cmd += ["--sessions", str(sessions)]
    if workers is not None:
        cmd += ["--workers", str(workers)]
    if store is not None:
        cmd += ["--store", store]
    if not cached:
        cmd += ["--no-response-cache"]
    if proxy is not None:
        cmd += ["--proxy", proxy]
    return Server(name, cmd, port)


def ceiling(port: int, list_body: Path, detail_body: Path) -> Server:
    return Server("ceiling", [sys.executable, str(ROOT / "bench" / "ceiling.py"), "--port",
                              str(port), "--list-body", str(list_body),
                              "--detail-body", str(detail_body)], port)


def prism(port: int) -> Server:
    # Logging at `error`, as our mock runs at `warning`: neither writes a line per request.
    return Server("prism", [str(PRISM_BIN), "mock", str(SPEC), "-p", str(port), "-h", "127.0.0.1",
                            "-v", "error"], port, base="")


@dataclass(frozen=True)
class NpmTool:
    """A reference server installed from npm, at a pinned version, into its own folder."""

    package: str
    directory: Path
    binary: str

    @property
    def bin(self) -> Path:
        return self.directory / "node_modules" / ".bin" / self.binary

    def install(self) -> str | None:
        """Installs the tool once; None when ready, else why it is not."""
        if self.bin.exists():
            return None
        npm = shutil.which("npm")
        if npm is None:
            return "npm is not installed"
        print(f"installing {self.package} into {self.directory.relative_to(ROOT)} (once) ...",
              flush=True)
        self.directory.mkdir(parents=True, exist_ok=True)
        done = subprocess.run([npm, "install", "--prefix", str(self.directory), "--no-audit",
                               "--no-fund", "--loglevel", "error", self.package],
                              capture_output=True, text=True, timeout=600)
        if done.returncode != 0 or not self.bin.exists():
            return f"npm install {self.package} failed: {(done.stderr or done.stdout).strip()[-500:]}"
        return None


PRISM = NpmTool(PRISM_PACKAGE, PRISM_DIR, "prism")
MOCKOON = NpmTool("@mockoon/cli@9.9.0", TOOLS_DIR / "mockoon", "mockoon-cli")
WIREMOCK = NpmTool("wiremock@3.13.2", TOOLS_DIR / "wiremock", "wiremock")  # runs Java 17


def install_prism() -> str | None:
    return PRISM.install()


def mockoon(port: int) -> Server:
    """Mockoon CLI serving openapi.yaml as it imports it (examples; paths under /rest)."""
    return Server("mockoon", [str(MOCKOON.bin), "start", "--data", str(SPEC), "--port",
                              str(port), "--hostname", "127.0.0.1", "--disable-log-to-file"],
                  port)


def wiremock(port: int, root: Path, stubs: dict[tuple[str, str], bytes]) -> Server:
    """WireMock 3 answering each (method, path) stub with exactly the given bytes (the query
    string ignored), from mappings written under `root`."""
    (root / "mappings").mkdir(parents=True, exist_ok=True)
    (root / "__files").mkdir(exist_ok=True)
    for n, ((method, path), body) in enumerate(stubs.items()):
        (root / "__files" / f"{n}.body").write_bytes(body)
        mapping = {"request": {"method": method, "urlPath": path},
                   "response": {"status": 200, "bodyFileName": f"{n}.body",
                                "headers": {"Content-Type": "application/json"}}}
        (root / "mappings" / f"{n}.json").write_text(json.dumps(mapping))
    return Server("wiremock", [str(WIREMOCK.bin), "--port", str(port), "--bind-address",
                               "127.0.0.1", "--root-dir", str(root), "--disable-request-logging",
                               "--no-request-journal", "--disable-banner"], port)


def redis(port: int) -> Server | None:
    binary = shutil.which("redis-server")
    if binary is None:
        return None
    return Server("redis", [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                            "--appendonly", "no"], port, base="")


def wait_tcp(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.02)
    raise RuntimeError(f"nothing listens on port {port} after {timeout:.0f} s")
