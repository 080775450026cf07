"""The loads (scenarios), driving a server with wrk and reading its figures (req/s, p50, p99,
errors)."""

from __future__ import annotations

import re
import shutil
import statistics
import subprocess
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

TOKEN_HEADER = "Authorization: attendee-token"  # a fixed token of the mock's world

# Alternates POST and DELETE of one registration, half and half (both answer 200: registering
# twice is idempotent and un-registering when not registered is a no-op).
MIX_LUA = """
local n = 0
request = function()
  n = n + 1
  local method = (n % 2 == 1) and "POST" or "DELETE"
  return wrk.format(method, nil, {["Authorization"] = "attendee-token"})
end
"""


# The paths the bench drives, relative to a server's base.
_EVENT = "/events/mock-event"
_SESSION = 11001  # the open, unlimited session of the default world (cases.open_session)
LIST_PATH = f"{_EVENT}/session?page=0&size=10&expand=speaker,stats"
DETAIL_PATH = f"{_EVENT}/session/v2/{_SESSION}"
REGISTER_PATH = f"{_EVENT}/session/{_SESSION}/register"

# A team's mixed load (issue 17): varied pages, filters and session ids, and one register or
# un-register in ten. Paths are relative to the server's base; wrk and the Python fallback
# both cycle through this list. Every request answers 2xx on every server (the register
# and un-register of one session alternate; both are idempotent).
MIXED: tuple[tuple[str, str], ...] = (
    ("GET", f"{_EVENT}/session?page=0&size=10"),
    ("GET", f"{_EVENT}/session/v2/11007"),
    ("GET", f"{_EVENT}/session?page=1&size=10&sessionFormat=WORKSHOP"),
    ("GET", f"{_EVENT}/session/v2/11012"),
    ("GET", f"{_EVENT}/session?page=2&size=10&expand=speaker,track"),
    ("GET", f"{_EVENT}/user-session/registered"),
    ("GET", f"{_EVENT}/session?past=true&size=10"),
    ("GET", f"{_EVENT}/session/v2/11003"),
    ("GET", f"{_EVENT}/session?searchString=data&size=10"),
    ("POST", REGISTER_PATH),
    ("GET", f"{_EVENT}/session?page=3&size=10"),
    ("GET", f"{_EVENT}/session/v2/11010"),
    ("GET", f"{_EVENT}/session?page=0&size=20&expand=speaker"),
    ("GET", f"{_EVENT}/session/v2/11005"),
    ("GET", f"{_EVENT}/session?page=1&size=10"),
    ("GET", f"{_EVENT}/user-session/registered?page=0&size=5"),
    ("GET", f"{_EVENT}/session?sessionFormat=MEET_UP&size=10"),
    ("GET", f"{_EVENT}/session/v2/11001"),
    ("GET", f"{_EVENT}/session?page=0&size=10&expand=stats"),
    ("DELETE", REGISTER_PATH),
)

# The scenarios of the bench: each is driven on its own.
SCENARIOS = {  # name -> (path, kind): GETs of one path, its POST/DELETE mix, or MIXED
    "list": (LIST_PATH, "get"),
    "detail": (DETAIL_PATH, "get"),
    "register-mix": (REGISTER_PATH, "writes"),
    "mixed": ("", "mixed"),
}
GETS = ("list", "detail")
STATIC = ("list", "detail", "register-mix")  # what a server of fixed stubs can answer


def mixed_lua(base: str) -> str:
    """A wrk script cycling through MIXED under `base`."""
    rows = ",\n".join(f'  {{"{method}", "{base}{path}"}}' for method, path in MIXED)
    return f"""
local requests = {{
{rows}
}}
local n = 0
request = function()
  n = n % #requests + 1
  local r = requests[n]
  return wrk.format(r[1], r[2], {{["Authorization"] = "attendee-token"}})
end
"""


@dataclass
class LoadResult:
    requests: int
    seconds: float
    rps: float
    p50_ms: float | None
    p99_ms: float | None
    non_2xx: int
    socket_errors: int

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def median_of(cls, rounds: list[LoadResult]) -> LoadResult:
        """Rounds of one load (measured in turns) as one result: the counts summed, the rate
        and the latencies their medians over the rounds."""
        return cls(requests=sum(r.requests for r in rounds),
                   seconds=round(sum(r.seconds for r in rounds), 3),
                   rps=round(statistics.median(r.rps for r in rounds), 2),
                   p50_ms=median([r.p50_ms for r in rounds]),
                   p99_ms=median([r.p99_ms for r in rounds]),
                   non_2xx=sum(r.non_2xx for r in rounds),
                   socket_errors=sum(r.socket_errors for r in rounds))


def median(values: list[float | None]) -> float | None:
    """The median of the values measured (None: not measured), None if there are none."""
    measured = [v for v in values if v is not None]
    return round(statistics.median(measured), 3) if measured else None


def wrk_path() -> str | None:
    return shutil.which("wrk")


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * _UNITS[unit]


def parse_wrk(output: str) -> LoadResult:
    """The figures of `wrk --latency`'s report."""
    done = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)", output)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if done is None or rps is None:
        raise ValueError(f"cannot read wrk's report:\n{output}")
    percentiles = dict(re.findall(r"^\s+(50|99)(?:\.0+)?%\s+(\S+)", output, re.M))
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                        output)
    return LoadResult(
        requests=int(done.group(1)),
        seconds=_ms(done.group(2) + done.group(3)) / 1000,
        rps=float(rps.group(1)),
        p50_ms=_ms(percentiles["50"]) if "50" in percentiles else None,
        p99_ms=_ms(percentiles["99"]) if "99" in percentiles else None,
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=sum(int(n) for n in sockets.groups()) if sockets else 0,
    )


@dataclass(frozen=True)
class Load:
    """One fixed load: the same for every server."""

    threads: int
    connections: int
    seconds: int
    timeout_s: int = 10

    def run(self, url: str, *, mix: bool = False, seconds: float | None = None,
            script: str | None = None) -> LoadResult:
        """wrk on `url`; `mix` alternates POST and DELETE, `script` is any wrk Lua script."""
        wrk = wrk_path()
        if wrk is None:
            raise RuntimeError("wrk is not installed (make wrk)")
        duration = max(1, round(seconds if seconds is not None else self.seconds))  # whole s
        cmd = [wrk, f"-t{self.threads}", f"-c{self.connections}", f"-d{duration}s",
               f"--timeout={self.timeout_s}s", "--latency", "-H", TOKEN_HEADER]
        with tempfile.TemporaryDirectory() as tmp:
            if mix or script:
                lua = Path(tmp) / "load.lua"
                lua.write_text(script or MIX_LUA)
                cmd += ["-s", str(lua)]
            done = subprocess.run([*cmd, url], capture_output=True, text=True,
                                  timeout=duration + self.timeout_s + 30)
        if done.returncode != 0:
            raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
        return parse_wrk(done.stdout)


# -- a fallback when wrk is missing (quick mode only): the same load, from Python ------------
async def _one_connection(host: str, port: int, requests: list[bytes], deadline: float,
                          latencies: list[float], failures: list[int]) -> None:
    import asyncio
    import time

    reader, writer = await asyncio.open_connection(host, port)
    i = 0
    try:
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            writer.write(requests[i % len(requests)])
            i += 1
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            headers = {k.strip().lower(): v.strip() for k, _, v in
                       (line.partition(b":") for line in head.split(b"\r\n")[1:] if line)}
            if b"content-length" in headers:
                await reader.readexactly(int(headers[b"content-length"]))
            elif headers.get(b"transfer-encoding") == b"chunked":
                while True:
                    size = int((await reader.readuntil(b"\r\n")).strip(), 16)
                    await reader.readexactly(size + 2)
                    if size == 0:
                        break
            latencies.append((time.perf_counter() - started) * 1000)
            if not 200 <= status < 400:
                failures.append(status)
    finally:
        writer.close()


def python_load(url: str, load: Load, *, mix: bool = False, seconds: float | None = None,
                mixed_base: str | None = None) -> LoadResult:
    """Keep-alive connections sending requests back to back, as wrk does (one thread);
    `mixed_base`: cycle through MIXED under that base instead of requesting `url`."""
    import asyncio
    import time
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    calls = ([(m, mixed_base + p) for m, p in MIXED] if mixed_base is not None
             else [(m, target) for m in (["POST", "DELETE"] if mix else ["GET"])])
    requests = [(f"{m} {path} HTTP/1.1\r\nHost: {parts.netloc}\r\n{TOKEN_HEADER}\r\n"
                 f"Content-Length: 0\r\n\r\n").encode() for m, path in calls]
    duration = seconds if seconds is not None else load.seconds
    latencies: list[float] = []
    failures: list[int] = []

    async def drive() -> float:
        started = time.perf_counter()
        deadline = started + duration
        await asyncio.gather(*(_one_connection(parts.hostname, parts.port, requests, deadline,
                                               latencies, failures)
                               for _ in range(load.connections)))
        return time.perf_counter() - started

    elapsed = asyncio.run(drive())
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
    return LoadResult(requests=len(latencies), seconds=round(elapsed, 3),
                      rps=round(len(latencies) / elapsed, 2),
                      p50_ms=round(cuts[49], 3) if cuts else None,
                      p99_ms=round(cuts[98], 3) if cuts else None,
                      non_2xx=len(failures), socket_errors=0)
