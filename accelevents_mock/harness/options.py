"""The harness's options: one definition shared by the pytest plugin and the console command.

Every option is a flag and an environment variable; a flag wins over the variable, the variable
over the default. Defaults depend on the target: our in-process mock may be written to and
hammered, anything else is read-only and rate limited unless the user says otherwise.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from accelevents_mock.contract.spec import SPEC_PATH
from accelevents_mock.safety.throttle import RATE_HELP, SAFE_RATE, parse_rate

DEFAULT_SPEC = SPEC_PATH  # the contract shipped with the package (the repository's openapi.yaml)
DEFAULT_SEED = 42  # fixed, so CI runs are repeatable; `--seed random` draws a fresh one
DEFAULT_MAX_EXAMPLES = 25
LIVE_RATE_LIMIT = SAFE_RATE
LIVE_REQUEST_BUDGET = 2000


@dataclass(frozen=True)
class Option:
    dest: str
    flag: str
    env: str
    help: str
    kind: str = "str"  # str | int | bool


OPTIONS: tuple[Option, ...] = (
    Option("base_url", "--base-url", "CONTRACT_BASE_URL",
           "API base URL of a live target (e.g. https://staging.example.com/rest); "
           "without it the in-process mock is tested"),
    Option("token", "--token", "CONTRACT_TOKEN", "attendee API token for the target"),
    Option("token_command", "--token-command", "CONTRACT_TOKEN_COMMAND",
           "shell command that prints a fresh attendee token; run when the target answers 401 to "
           "a token that worked before, and the run goes on with its output (never printed)"),
    Option("host_token", "--host-token", "CONTRACT_HOST_TOKEN", "event-host API token (host operations)"),
    Option("event_url", "--event-url", "CONTRACT_EVENT_URL", "event url (slug) to test against"),
    Option("seed", "--seed", "CONTRACT_SEED", "generation seed (an integer or 'random'; default 42)"),
    Option("max_examples", "--max-examples", "CONTRACT_MAX_EXAMPLES",
           f"examples per operation and phase (default {DEFAULT_MAX_EXAMPLES})", "int"),
    Option("allow_writes", "--allow-writes", "CONTRACT_ALLOW_WRITES",
           "allow POST/PUT/DELETE against a live target (always on for the in-process mock)", "bool"),
    Option("rate_limit", "--rate-limit", "CONTRACT_RATE_LIMIT",
           f"{RATE_HELP}; live default {LIVE_RATE_LIMIT}"),
    Option("request_budget", "--request-budget", "CONTRACT_REQUEST_BUDGET",
           f"most requests the run may send (live default {LIVE_REQUEST_BUDGET}; 0 for no limit)", "int"),
    Option("report_dir", "--report-dir", "CONTRACT_REPORT_DIR",
           "where reports are written (default reports/)"),
    Option("target_config", "--target-config", "CONTRACT_TARGET_CONFIG",
           "YAML naming the target's sessions and tokens by case "
           "(see accelevents_mock/harness/staging.example.yaml)"),
    Option("spec", "--spec", "CONTRACT_SPEC",
           "the OpenAPI contract (default: the repository's openapi.yaml)"),
    Option("app", "--app", "CONTRACT_APP",
           "in-process target as module:callable returning an ASGI app (default: the mock)"),
)
BY_DEST = {option.dest: option for option in OPTIONS}


@dataclass(frozen=True)
class Options:
    base_url: str | None = None
    token: str | None = None
    token_command: str | None = None
    host_token: str | None = None
    event_url: str | None = None
    seed: int = DEFAULT_SEED
    max_examples: int = DEFAULT_MAX_EXAMPLES
    allow_writes: bool = False
    rate_limit: str | None = None
    request_budget: int = 0  # 0: no limit
    report_dir: Path = Path("reports")
    target_config: Path | None = None
    spec: Path = DEFAULT_SPEC
    app: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def in_process(self) -> bool:
        return self.base_url is None

    def secrets(self) -> list[str]:
        return [value for value in (self.token, self.host_token) if value]

    def summary(self) -> str:
        """One line for headers and logs; never shows a token."""
        target = self.base_url or f"in-process {self.app or 'mock'}"
        return (f"target={target} seed={self.seed} max-examples={self.max_examples} "
                f"writes={'on' if self.allow_writes else 'off'} rate-limit={self.rate_limit or 'none'} "
                f"budget={self.request_budget or 'none'} token={'set' if self.token else 'unset'} "
                f"host-token={'set' if self.host_token else 'unset'}")


def _parse_bool(text: str) -> bool:
    return text.strip().lower() in ("1", "true", "yes", "on")


def _parse_seed(value: object) -> int:
    if isinstance(value, int):
        return value
    text = str(value).strip().lower()
    if text in ("random", "none", ""):
        return random.SystemRandom().randrange(2**32)
    return int(text)


def resolve(given: Mapping[str, Any], env: Mapping[str, str] | None = None) -> Options:
    """Options from explicit values (None: not given) over environment variables over defaults."""
    env = os.environ if env is None else env
    raw: dict[str, Any] = {}
    for option in OPTIONS:
        value = given.get(option.dest)
        if value in (None, False) and option.env in env:
            value = env[option.env]
            if option.kind == "int":
                value = int(value)
            elif option.kind == "bool":
                value = _parse_bool(value)
        raw[option.dest] = value
    live = raw["base_url"] is not None
    if live:
        raw["base_url"] = normalise_base_url(raw["base_url"])
    rate = raw["rate_limit"] if raw["rate_limit"] is not None else (LIVE_RATE_LIMIT if live else None)
    budget = raw["request_budget"] if raw["request_budget"] is not None else (
        LIVE_REQUEST_BUDGET if live else 0)
    return Options(
        base_url=raw["base_url"], token=raw["token"] or None,
        token_command=raw["token_command"] or None, host_token=raw["host_token"] or None,
        event_url=raw["event_url"] or None,
        seed=_parse_seed(raw["seed"]) if raw["seed"] is not None else DEFAULT_SEED,
        max_examples=int(raw["max_examples"] or DEFAULT_MAX_EXAMPLES),
        # Our in-process mock is thrown away after the run, so writing to it is always safe.
        allow_writes=bool(raw["allow_writes"]) or not live,
        rate_limit=parse_rate(rate), request_budget=int(budget),
        report_dir=Path(raw["report_dir"] or "reports"),
        target_config=Path(raw["target_config"]) if raw["target_config"] else None,
        spec=Path(raw["spec"]) if raw["spec"] else DEFAULT_SPEC, app=raw["app"] or None,
    )


def normalise_base_url(url: str) -> str:
    """`http://host:8080` and `http://host:8080/rest/` both mean the API at `.../rest`."""
    url = url.rstrip("/")
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise ValueError(f"--base-url {url!r} is not an absolute URL")
    if "/" not in rest:
        url += "/rest"
    return url


def add_to(add: Callable[..., Any]) -> None:
    """Declare every option through `add` (argparse's add_argument or pytest's addoption)."""
    for option in OPTIONS:
        help_text = f"{option.help} [env {option.env}]"
        if option.kind == "bool":
            add(option.flag, dest=f"contract_{option.dest}", action="store_true", default=None,
                help=help_text)
        else:
            add(option.flag, dest=f"contract_{option.dest}", default=None,
                type=int if option.kind == "int" else str, help=help_text)


def given_from(namespace: Any) -> dict[str, Any]:
    """The values a parsed namespace (argparse or pytest) holds for our options."""
    return {f.name: getattr(namespace, f"contract_{f.name}", None) for f in fields(Options)
            if f.name in BY_DEST}
