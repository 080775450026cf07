"""Start-up settings of one mock, from flags or from code."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from accelevents_mock.proxy.settings import ProxySettings
from accelevents_mock.world.defaults import DEFAULT_SEED, DEFAULT_SESSIONS, GENERATED_ATTENDEES

# Browsers on this machine: any port of localhost / 127.0.0.1 / [::1].
LOCAL_ORIGINS = r"https?://(localhost|127\.0\.0\.1|\[::1\])(:\d+)?"


@dataclass
class MockConfig:
    seed: int = DEFAULT_SEED
    sessions: int = DEFAULT_SESSIONS
    attendees: int = GENERATED_ATTENDEES  # generated ticket holders besides the named ones
    clock: datetime | None = None  # freeze the mock clock at this instant (default: real time)
    latency_ms: tuple[int, int] = (0, 0)  # every response waits a random time in this range
    faults: dict[str, str] = field(default_factory=dict)  # operationId (or "*") -> fault name
    cors_origins: str = LOCAL_ORIGINS  # a regular expression of allowed origins; "" turns CORS off
    journal_size: int = 500
    # Seconds after which a simulated attendee joins a real one left waiting in networking.
    simulate_networking_s: float | None = None
    world_dir: Path | None = None  # serve a world built from this recording instead of Faker's
    store: str | None = None  # redis://host:port/db: one world shared by workers and instances
    # The control API (/__mock) asks for this token (X-Mock-Admin-Token) when it is set, and
    # refuses everyone when the mock listens beyond loopback without one.
    admin_token: str | None = None
    loopback_only: bool = True  # bound to 127.0.0.1 / ::1 / localhost only
    # Answer a repeated GET from memory while nothing it depends on changed (response_cache).
    response_cache: bool = True
    # Answer plainly valid calls without Connexion's request path (api/fastpath.py; the same bytes).
    fast_path: bool = True
    # Keep each API call (no credentials) for the Pact export, GET /__mock/pact (pact/capture.py).
    pact_capture: bool = True
    # Forward API calls to a deployment and judge them (--proxy...); by default no target.
    proxy: ProxySettings = field(default_factory=ProxySettings)
