"""`accelevents-mock` / `python -m accelevents_mock`: start the mock and print how to use it.

The bare command serves; its subcommands `record`, `test`, `drift` and `pact` are the other tools (each
with `--help`)."""

from __future__ import annotations

import argparse
import errno
import gc
import ipaddress
import json
import os
import re
import socket
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import uvicorn

from accelevents_mock import __version__
from accelevents_mock.app import MockApp, create_app
from accelevents_mock.config import LOCAL_ORIGINS, MockConfig
from accelevents_mock.contract import cases
from accelevents_mock.contract.spec import BASE_PATH, operations
from accelevents_mock.control import admin_token
from accelevents_mock.control.access import ADMIN_HEADER
from accelevents_mock.control.parsing import MAX_WORLD_SIZE
from accelevents_mock.control.views import counts_line
from accelevents_mock.domain.clock import parse_instant
from accelevents_mock.domain.models import World
from accelevents_mock.proxy.settings import (
    DEFAULT_TIMEOUT_S,
    InvalidSetting,
    ProxySettings,
    display,
    parse_operations,
    read_token_map,
)
from accelevents_mock.runtime.state import served_world
from accelevents_mock.safety import preflight
from accelevents_mock.safety.logmask import logging_config
from accelevents_mock.safety.redact import mask_url_credentials
from accelevents_mock.steering.faults import FAULTS, fault_map, parse_range
from accelevents_mock.terminal.usage import (
    PROG,
    OneLineParser,
    fail,
    number,
    option_type,
    seconds,
    stop,
    whole,
)
from accelevents_mock.world import RecordingError
from accelevents_mock.world.defaults import DEFAULT_SEED, DEFAULT_SESSIONS, GENERATED_ATTENDEES

EPILOG = """subcommands (each has --help):
  record   save a deployment's answers as a world this command serves with --world
  test     the contract suite, against this mock in process or a live target
  drift    compare two targets' answers, field by field
  pact     check consumer pacts against openapi.yaml (pact check FILE...)

example:
  accelevents-mock --port 8080 --seed 7 --sessions 500
"""
ARGV_VARIABLE = "ACCELEVENTS_MOCK_ARGV"  # how each uvicorn worker gets the command line
ADMIN_TOKEN_VARIABLE = admin_token.ADMIN_TOKEN_VARIABLE
HOST_VARIABLE = "ACCELEVENTS_MOCK_HOST"  # the container image listens on 0.0.0.0 whatever CMD says
PORT_VARIABLE = "ACCELEVENTS_MOCK_PORT"
STORE_SCHEMES = ("redis://", "rediss://", "unix://")
MAX_PORT = 65535
MAX_WORKERS = 64
MIN_ADMIN_TOKEN = 8  # characters: shorter ones are guessed, and too short to be masked in logs


def parser() -> argparse.ArgumentParser:
    p = OneLineParser(prog=PROG, description=__doc__, epilog=EPILOG,
                      formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    p.add_argument("--host", default=os.environ.get(HOST_VARIABLE, "127.0.0.1"),
                   help=f"address to listen on (default ${HOST_VARIABLE} or 127.0.0.1; beyond "
                   "loopback the control API asks for --admin-token)")
    p.add_argument("--port", type=whole(1, MAX_PORT), default=os.environ.get(PORT_VARIABLE, "8080"),
                   help=f"port to listen on, 1-65535 (default ${PORT_VARIABLE} or 8080)")
    p.add_argument("--seed", type=whole(), default=DEFAULT_SEED, help="world seed (default %(default)s)")
    p.add_argument("--sessions", type=whole(1, MAX_WORLD_SIZE), default=DEFAULT_SESSIONS,
                   help="sessions in the main event (default %(default)s)")
    p.add_argument("--clock", type=option_type(parse_instant, "instant"), default=None,
                   help="freeze the mock clock at this instant (ISO 8601 or 'YYYY/MM/DD HH:MM')")
    p.add_argument("--latency", type=option_type(parse_range, "latency"), default=(0, 0),
                   metavar="MS|LO-HI",
                   help="delay every response by MS, or a random LO-HI, milliseconds")
    p.add_argument("--fault", action="append", default=[], metavar="OPERATION=FAULT",
                   help=f"inject a fault ({', '.join(FAULTS)}) into an operationId or '*'")
    p.add_argument("--cors-origins", default=LOCAL_ORIGINS,
                   help="regular expression of allowed browser origins; '' turns CORS off")
    p.add_argument("--simulate-networking", type=seconds, default=None, metavar="SECONDS",
                   help="a simulated attendee joins anyone left waiting in networking after SECONDS")
    p.add_argument("--world", type=Path, default=None, metavar="DIR",
                   help="serve the world of a recording made by `accelevents-mock record`")
    p.add_argument("--attendees", type=whole(0, MAX_WORLD_SIZE), default=GENERATED_ATTENDEES,
                   help="generated ticket holders besides the named ones (default %(default)s)")
    p.add_argument("--store", default=None, metavar="redis://HOST:PORT/DB",
                   help="keep the world's changes in Redis: one world for every worker and "
                   "every instance, kept across restarts (default: in this process's memory)")
    p.add_argument("--workers", type=whole(1, MAX_WORKERS), default=1,
                   help="worker processes (more than 1 needs --store)")
    p.add_argument("--admin-token", default=admin_token.given_token(),
                   help=f"token the control API (/__mock) asks for in X-Mock-Admin-Token "
                   f"(default ${ADMIN_TOKEN_VARIABLE}); required beyond loopback")
    p.add_argument("--make-admin-token", action="store_true",
                   default=admin_token.make_requested(),
                   help="beyond loopback without an admin token, make one and print it once at "
                   f"start-up (default: ${admin_token.MAKE_VARIABLE}=1; the container image sets it)")
    p.add_argument("--no-response-cache", dest="response_cache", action="store_false",
                   help="compute every answer, even a GET repeated while nothing changed "
                   "(for measuring; the answers are the same)")
    p.add_argument("--no-fast-path", dest="fast_path", action="store_false",
                   help="send every API call through Connexion's request path, even a plainly "
                   "valid call (for measuring; the answers are the same)")
    p.add_argument("--no-pact-capture", dest="pact_capture", action="store_false",
                   help="keep no API calls for the Pact export (GET /__mock/pact then has none; "
                   "for measuring)")
    p.add_argument("--log-level", default="info",
                   choices=("critical", "error", "warning", "info", "debug", "trace"),
                   help="uvicorn's log level (default %(default)s)")
    proxy = p.add_argument_group("validating proxy", "forward API calls to a deployment, judge "
                                 "every exchange against openapi.yaml (GET /__mock/violations)")
    proxy.add_argument("--proxy", default=None, metavar="URL",
                       help="forward API calls to this base URL, e.g. https://staging.example/rest")
    proxy.add_argument("--proxy-ops", default="", metavar="OP,OP",
                       help="forward only these operationIds; the mock answers the others "
                       "(default: all)")
    proxy.add_argument("--proxy-fallback", action="store_true",
                       help="answer from the mock when the target is unreachable, times out or "
                       "answers 502/503/504 (X-Mock-Source: mock-fallback)")
    # Its range is checked by ProxySettings.validate, as the control API's timeoutS is.
    proxy.add_argument("--proxy-timeout", type=number, default=DEFAULT_TIMEOUT_S, metavar="SECONDS",
                       help="how long to wait for the target (default %(default)s)")
    proxy.add_argument("--proxy-token-map", type=Path, default=None, metavar="FILE",
                       help='JSON {"mock token": "staging token"}: the staging token is sent '
                       "instead (never printed or logged)")
    proxy.add_argument("--proxy-strict", action="store_true",
                       help="an answer that breaks the contract becomes a 502 listing why")
    proxy.add_argument("--proxy-record", type=Path, default=None, metavar="DIR",
                       help="save the target's GET answers, scrubbed, for `accelevents-mock --world DIR`")
    proxy.add_argument("--proxy-allow-writes", action="store_true",
                       help="forward non-GET calls too (default: the mock answers them)")
    return p


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    return parser().parse_args(argv)


PROXY_OPTIONS = {"target": "--proxy", "operations": "--proxy-ops", "timeout_s": "--proxy-timeout"}


def check_proxy_target(proxy: ProxySettings) -> None:
    """The proxy's pre-flight: its target answers like the API and accepts each staging token of
    the token map. With --proxy-fallback the mock answers meanwhile, so that is only said."""
    if proxy.target is None:
        return
    tokens = {f"staging token {n} of --proxy-token-map": staging
              for n, staging in enumerate(proxy.token_map.values(), 1)}
    try:
        preflight.check(proxy.target, tokens, flag="--proxy")
    except preflight.PreflightError as exc:
        if not proxy.fallback:
            stop(PROG, str(exc))
        print(f"{PROG}: warning: {exc} (--proxy-fallback: the mock answers until it does)",
              file=sys.stderr, flush=True)


def proxy_from(args: argparse.Namespace) -> ProxySettings:
    if args.proxy is None and args.proxy_ops:
        fail("--proxy-ops", "needs --proxy URL (the target to forward those operations to)")
    try:
        ops = parse_operations(args.proxy_ops, set(operations()))
    except ValueError as exc:
        fail("--proxy-ops", f"{exc}; one of {', '.join(sorted(operations()))}")
    try:
        token_map = read_token_map(args.proxy_token_map) if args.proxy_token_map else {}
    except ValueError as exc:  # a TokenMapError names the file, never a token
        fail("--proxy-token-map", str(exc))
    if args.proxy_record is not None and args.proxy_record.exists() and not args.proxy_record.is_dir():
        fail("--proxy-record", f"{args.proxy_record} is a file: give a folder to save the recording in")
    settings = ProxySettings(target=args.proxy, operations=ops, fallback=args.proxy_fallback,
                             timeout_s=args.proxy_timeout, strict=args.proxy_strict,
                             allow_writes=args.proxy_allow_writes,
                             record_dir=args.proxy_record, token_map=token_map)
    try:
        settings.validate(operations())
    except InvalidSetting as exc:
        fail(PROXY_OPTIONS[exc.setting], str(exc))
    return settings


def faults_from(items: list[str]) -> dict[str, str]:
    """`--fault OPERATION=FAULT`, each checked by the one fault check."""
    accepted = f"OPERATION=FAULT, FAULT one of {', '.join(FAULTS)}"
    wanted = {}
    for item in items:
        operation, sign, name = item.partition("=")
        if not sign:
            fail("--fault", f"{item!r:.60} is not {accepted}")
        wanted[operation] = name
    try:
        return fault_map(wanted)
    except ValueError as exc:
        fail("--fault", str(exc))


def config_from(args: argparse.Namespace) -> MockConfig:
    faults = faults_from(args.fault)
    if args.workers > 1 and not args.store:
        fail("--workers", "more than 1 needs --store redis://HOST:PORT/DB (workers do not share "
             "memory, so each would serve a world of its own)")
    if args.store and not args.store.startswith(STORE_SCHEMES):
        fail("--store", f"{mask_url_credentials(args.store)!r:.80} is not a Redis URL: it starts "
             f"with {' or '.join(STORE_SCHEMES)}, such as redis://127.0.0.1:6379/0")
    if args.admin_token is not None and (len(args.admin_token) < MIN_ADMIN_TOKEN
                                         or not args.admin_token.isprintable()
                                         or any(c.isspace() for c in args.admin_token)):
        fail("--admin-token", f"give at least {MIN_ADMIN_TOKEN} printable characters without "
             f"spaces (it is sent in the {ADMIN_HEADER} header)")
    try:
        re.compile(args.cors_origins)
    except re.error as exc:
        fail("--cors-origins", f"not a regular expression ({exc}); '' turns CORS off")
    if args.world is not None:
        from accelevents_mock.world.recorded import load_recording  # spares every other start

        try:
            load_recording(args.world)
        except RecordingError as exc:
            fail("--world", str(exc))
    return MockConfig(seed=args.seed, sessions=args.sessions, clock=args.clock,
                      latency_ms=args.latency, faults=faults, cors_origins=args.cors_origins,
                      simulate_networking_s=args.simulate_networking, world_dir=args.world,
                      attendees=args.attendees, store=args.store,
                      admin_token=args.admin_token or None,  # '' would match an empty header
                      loopback_only=is_loopback(args.host), response_cache=args.response_cache,
                      fast_path=args.fast_path, pact_capture=args.pact_capture,
                      proxy=proxy_from(args))


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to anything


# Generated worlds build their named cases first, from session id 11001, whatever the seed.
OPEN_SESSION_ID = 11001
TRY_SCENARIO = "capacity-reached"  # a documented 406 a newcomer recognises from the guides


def shows_whole_tokens(config: MockConfig) -> bool:
    """The fixed test tokens of a generated world on loopback are no secret: printed whole, the
    banner's commands work as pasted. Anywhere else, or on a recording, they are not printed."""
    return config.loopback_only and config.world_dir is None


def try_commands(base: str, config: MockConfig, world: World) -> list[str]:
    """What a newcomer pastes first: the session list as the attendee, then a forced error."""
    events = f"{base}{BASE_PATH}/events/{next(iter(world.events))}"
    if not shows_whole_tokens(config):
        return [f"""curl -H "Authorization: $ATTENDEE_TOKEN" '{events}/session?size=3'"""]
    auth = f"-H 'Authorization: {cases.TOKENS['attendee']}'"
    return [f"curl {auth} '{events}/session?size=3'",
            f"curl -i -X POST {auth} -H 'X-Mock-Scenario: {TRY_SCENARIO}' "
            f"'{events}/session/{OPEN_SESSION_ID}/register'"]


def world_line(config: MockConfig, world: World) -> str:
    """Where the world comes from, and its sessions counted as the panel counts them."""
    if config.world_dir is None:
        origin = f"seed {config.seed}"
    else:
        source = world.cases.get("recorded_from")
        origin = f"recording {config.world_dir.resolve()}" + (f" (of {source})" if source else "")
    return f"{origin}: {counts_line(world)}"


def tokens_section(config: MockConfig) -> str:
    if shows_whole_tokens(config):
        return "  Tokens by role:\n" + "\n".join(f"    {role:<18} {token}"
                                                 for role, token in cases.TOKENS.items())
    return (f"  Tokens       not printed beyond loopback or for a recording: the panel, GET "
            f"/__mock/world and docs/frontend.md show them\n               (roles: "
            f"{', '.join(cases.TOKENS)})")


def panel_line(base: str, config: MockConfig) -> str:
    if config.loopback_only:
        return f"{base}/__mock/ui"
    if config.admin_token:
        return f"{base}/__mock/ui   (asks for the admin token once)"
    return (f"{base}/__mock/ui   OFF: beyond loopback the panel and control API need "
            f"--admin-token TOKEN (or ${ADMIN_TOKEN_VARIABLE}); restart with one")


def banner(base: str, config: MockConfig, workers: int = 1, world: World | None = None) -> str:
    # Tokens are printed whole or not at all; the admin token never: it guards a mock others
    # can reach.
    world = world or served_world(config, config.clock or datetime.now(UTC))
    attempt = ("Try (paste into another terminal: the sessions as the attendee, then a documented "
               "error, forced: 406)") if shows_whole_tokens(config) else \
        "Try (set ATTENDEE_TOKEN to the attendee's whole token first)"
    commands = "\n".join(f"    {line}" for line in try_commands(base, config, world))
    store = f"{mask_url_credentials(config.store)} (shared; its saved world wins over --seed)" \
        if config.store else "this process's memory"
    return f"""
Accelevents session API mock ({workers} worker{'s' if workers > 1 else ''})
  World        {world_line(config, world)}
  Store        {store}
  API          {base}{BASE_PATH}
  Swagger UI   {base}/ui
  Panel        {panel_line(base, config)}
  Spec         {base}/openapi.yaml
  Control      {base}/__mock/world   (reset, clock, state, journal, scenarios, faults)
  Socket       {base.replace('http', 'ws', 1)}/__mock/socket?token=TOKEN   (networking matches)
{proxy_line(config.proxy)}{tokens_section(config)}
  {attempt}:
{commands}
"""


def proxy_line(proxy: ProxySettings) -> str:
    if proxy.target is None:
        return ""
    ops = ", ".join(sorted(proxy.operations)) if proxy.operations is not None else "all operations"
    return (f"  Proxy        {display(proxy.target)} ({ops}; fallback "
            f"{'on' if proxy.fallback else 'off'}; {'strict; ' if proxy.strict else ''}writes "
            f"{'forwarded' if proxy.allow_writes else 'answered by the mock'}; "
            f"{len(proxy.token_map)} token(s) mapped)\n"
            f"  Violations   GET /__mock/violations (and the panel)\n")


def check_can_listen(host: str, port: int) -> None:
    """Bind as uvicorn will (SO_REUSEADDR, the family by the host's form), before the banner:
    a port in use or an address not of this machine is one line, not a banner and Errno 98."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host.strip("[]"), port))
        except socket.gaierror:
            fail("--host", f"{host!r:.80} is not an address or a name this machine can resolve; "
                 "such as 127.0.0.1 (default), 0.0.0.0 or ::1")
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                fail("--port", f"port {port} is in use on {host}: stop what listens there, or "
                     "choose another --port (1-65535)")
            if exc.errno == errno.EACCES:
                fail("--port", f"port {port} needs privileges this user lacks; choose one from "
                     "1024 to 65535")
            fail("--host", f"cannot listen on {host}:{port} ({exc.strerror}); give an address of "
                 "this machine, such as 127.0.0.1 (default) or 0.0.0.0")


def check_store(url: str) -> None:
    """The shared store answers, or one line naming it (masked) and how to start Redis."""
    from accelevents_mock.store.shared import ping  # needs redis only when asked for

    problem = ping(url)
    if problem is not None:
        fail("--store", f"Redis at {mask_url_credentials(url)} {problem}; start one "
             f"(`redis-server --port 6379`, or `docker run -p 6379:6379 redis`) or leave "
             f"--store out to keep the world in memory")


def public_address_warning(config: MockConfig, host: str) -> str | None:
    if config.loopback_only:
        return None
    control = "asks for the admin token (X-Mock-Admin-Token)" if config.admin_token else \
        "is OFF: no --admin-token was given"
    return (f"WARNING: listening on {host}, beyond loopback: anyone who can reach this port can "
            f"use the mock. The control API (/__mock) {control}.")


def worker_app() -> MockApp:
    """The app of one uvicorn worker, configured from the parent's command line."""
    return create_app(config_from(parse_args(json.loads(os.environ[ARGV_VARIABLE]))))


def collect_from_here() -> None:
    """Start-up is over. What it built (modules, the world, the app: some 120,000 objects) lasts
    as long as the server, so the cycle collector, off while it was built, leaves all of it out
    of its passes from now on (gc.freeze) and collects what serving allocates."""
    gc.freeze()
    gc.enable()


def run_subcommand(name: str, argv: list[str]) -> None:
    """The tools besides the server, imported only when asked for."""
    gc.enable()  # `python -m accelevents_mock` starts with it off (see __main__.py)
    if name == "record":
        from accelevents_mock.recording.walk import main as record

        record(argv)
    elif name == "test":
        from accelevents_mock.harness.cli import run

        sys.exit(run(argv))
    elif name == "drift":
        from accelevents_mock.harness.drift import main as drift

        sys.exit(drift(argv))
    elif name == "pact":
        from accelevents_mock.pact.cli import main as pact

        sys.exit(pact(argv))


SUBCOMMANDS = ("record", "test", "drift", "pact")


def main(argv: Sequence[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] and argv[0] in SUBCOMMANDS:
        run_subcommand(argv[0], argv[1:])
        return
    # Off while the server is built: it would scan the start-up's objects over and over (about a
    # tenth of the cold start, with the imports before; see __main__.py).
    gc.disable()
    args = parse_args(argv)
    config = config_from(args)
    made_token = admin_token.make_if_needed(config, args.make_admin_token)
    check_can_listen(args.host, args.port)
    if config.store:
        check_store(config.store)
    check_proxy_target(config.proxy)
    try:  # the world a recording describes may still be one it cannot serve
        app = create_app(config) if args.workers == 1 else None
        world = app.state.world if app else served_world(config, datetime.now(UTC))
    except RecordingError as exc:
        fail("--world", str(exc))
    print(banner(f"http://{args.host}:{args.port}", config, args.workers, world), flush=True)
    warning = public_address_warning(config, args.host)
    if warning:
        print(warning, file=sys.stderr, flush=True)
    if made_token:
        print(admin_token.notice(made_token), file=sys.stderr, flush=True)
    options = {"host": args.host, "port": args.port, "log_level": args.log_level,
               "log_config": logging_config()}
    if app is not None:
        collect_from_here()
        uvicorn.run(app, **options)
    else:
        os.environ[ARGV_VARIABLE] = json.dumps(argv)
        collect_from_here()
        uvicorn.run("accelevents_mock.cli:worker_app", factory=True, workers=args.workers, **options)
