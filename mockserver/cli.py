"""`mockserver` / `python -m mockserver`: start the mock and print how to use it."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import uvicorn

from fixtures import cases
from fixtures.world_builder import DEFAULT_SEED, DEFAULT_SESSIONS
from mockserver.app import create_app
from mockserver.config import LOCAL_ORIGINS, MockConfig
from mockserver.domain.clock import parse_instant
from mockserver.faults import FAULTS, parse_range
from mockserver.spec import BASE_PATH


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="mockserver", description=__doc__,
                                epilog="`mockserver record --help`: record a deployment into a world")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8080)
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help="world seed (default 42)")
    p.add_argument("--sessions", type=int, default=DEFAULT_SESSIONS,
                   help="sessions in the main event (default %(default)s)")
    p.add_argument("--clock", type=parse_instant, default=None,
                   help="freeze the mock clock at this instant (ISO 8601 or 'YYYY/MM/DD HH:MM')")
    p.add_argument("--latency", type=parse_range, default=(0, 0), metavar="MS|LO-HI",
                   help="delay every response by MS, or a random LO-HI, milliseconds")
    p.add_argument("--fault", action="append", default=[], metavar="OPERATION=FAULT",
                   help=f"inject a fault ({', '.join(FAULTS)}) into an operationId or '*'")
    p.add_argument("--cors-origins", default=LOCAL_ORIGINS,
                   help="regular expression of allowed browser origins; '' turns CORS off")
    p.add_argument("--simulate-networking", type=float, default=None, metavar="SECONDS",
                   help="a simulated attendee joins anyone left waiting in networking after SECONDS")
    p.add_argument("--world", type=Path, default=None, metavar="DIR",
                   help="serve the world of a recording made by `mockserver record`")
    p.add_argument("--log-level", default="info")
    return p.parse_args(argv)


def config_from(args: argparse.Namespace) -> MockConfig:
    faults = {}
    for item in args.fault:
        operation, _, fault = item.partition("=")
        if fault not in FAULTS:
            sys.exit(f"mockserver: --fault {item!r}: fault must be one of {', '.join(FAULTS)}")
        faults[operation] = fault
    return MockConfig(seed=args.seed, sessions=args.sessions, clock=args.clock,
                      latency_ms=args.latency, faults=faults, cors_origins=args.cors_origins,
                      simulate_networking_s=args.simulate_networking, world_dir=args.world)


def banner(base: str, config: MockConfig) -> str:
    roles = "\n".join(f"    {role:<18} {token}" for role, token in cases.TOKENS.items())
    return f"""
Accelevents session API mock (seed {config.seed}, {config.sessions} sessions)
  API          {base}{BASE_PATH}
  Swagger UI   {base}/ui
  Panel        {base}/__mock/ui
  Spec         {base}/openapi.yaml
  Control      {base}/__mock/world   (reset, clock, state, journal, scenarios, faults)
  Socket       {base.replace('http', 'ws', 1)}/__mock/socket?token=TOKEN   (networking matches)
  Tokens by role:
{roles}
    {'unknown (401)':<18} {cases.UNKNOWN_TOKEN}
  Try:
    curl -H 'Authorization: {cases.TOKENS['attendee']}' \\
         '{base}{BASE_PATH}/events/{cases.EVENT_URL}/session?size=3'
"""


def main(argv: Sequence[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["record"]:
        from mockserver.record import main as record

        record(argv[1:])
        return
    args = parse_args(argv)
    config = config_from(args)
    app = create_app(config)
    print(banner(f"http://{args.host}:{args.port}", config), flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level)
