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
from accelevents_mock.safety.preflight import api_base_url
from accelevents_mock.safety.redact import MASK
from accelevents_mock.safety.throttle import RATE_HELP, SAFE_RATE, parse_rate
from accelevents_mock.terminal.usage import UsageError

DEFAULT_SPEC = SPEC_PATH  # the contract shipped with the package (the repository's openapi.yaml)
DEFAULT_SEED = 42  # fixed, so CI runs are repeatable; `--seed random` draws a fresh one
DEFAULT_MAX_EXAMPLES = 25
LIVE_RATE_LIMIT = SAFE_RATE
LIVE_REQUEST_BUDGET = 2000
# Operations whose effect the API offers no way to undo (a join answers 406 to a second try, and
# nothing takes it back): a live run leaves them alone unless --allow-irreversible.
IRREVERSIBLE_OPERATIONS = ("joinWorkshopSession",)


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
    Option("allow_irreversible", "--allow-irreversible", "CONTRACT_ALLOW_IRREVERSIBLE",
           "allow calls a live target cannot undo (joining a workshop: "
           f"{', '.join(IRREVERSIBLE_OPERATIONS)}); the summary lists what they left behind", "bool"),
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
    # Tokens never show in a repr (pytest prints fixtures' reprs in failures, cut short, so
    # a redactor looking for the whole token would miss the part shown).
    token: str | None = field(default=None, repr=False)
    token_command: str | None = field(default=None, repr=False)
    host_token: str | None = field(default=None, repr=False)
    event_url: str | None = None
    seed: int = DEFAULT_SEED
    max_examples: int = DEFAULT_MAX_EXAMPLES
    allow_writes: bool = False
    allow_irreversible: bool = False
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

    def __repr__(self) -> str:
        return f"Options({self.summary()})"

    def irreversible_allowed(self) -> bool:
        """Our in-process mock is thrown away after the run; a live target keeps what is done."""
        return self.in_process or self.allow_irreversible

    def secrets(self) -> list[str]:
        return [value for value in (self.token, self.host_token) if value]

    def summary(self) -> str:
        """One line for headers and logs; never shows a token."""
        target = self.base_url or f"in-process {self.app or 'mock'}"
        return (f"target={target} seed={self.seed} max-examples={self.max_examples} "
                f"writes={'on' if self.allow_writes else 'off'} "
                f"irreversible={'on' if self.irreversible_allowed() else 'off'} "
                f"rate-limit={self.rate_limit or 'none'} "
                f"budget={self.request_budget or 'none'} attendee token {MASK if self.token else 'unset'}, "
                f"host token {MASK if self.host_token else 'unset'}")


TRUE, FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off", "")


def _parse_bool(option: Option, text: str) -> bool:
    value = text.strip().lower()
    if value not in TRUE + FALSE:
        raise UsageError(f"{option.env}={text!r}: expected one of {', '.join(TRUE + FALSE[:-1])}")
    return value in TRUE


def _parse_int(option: Option, value: object, *, least: int, meaning: str = "") -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        number = least - 1
    if number < least:
        raise UsageError(f"{option.flag} {value!r}: expected a whole number ({least} or more)"
                         f"{meaning} [env {option.env}]")
    return number


def _parse_seed(value: object) -> int:
    if isinstance(value, int):
        return value
    text = str(value).strip().lower()
    if text in ("random", "none", ""):
        return random.SystemRandom().randrange(2**32)
    return _parse_int(BY_DEST["seed"], text, least=0, meaning=" or 'random'")


def _existing(option: Option, value: object, *, folder: bool = False) -> Path:
    """A file the run reads (or a folder it writes into) that must be usable as such."""
    path = Path(str(value)).expanduser()
    if folder:
        if path.exists() and not path.is_dir():
            raise UsageError(f"{option.flag} {str(path)!r} is a file; expected a folder "
                             "(it is created if missing)")
    elif not path.is_file():
        raise UsageError(f"{option.flag} {str(path)!r}: no such file; expected "
                         f"{'a YAML file' if path.suffix in ('.yaml', '.yml', '') else 'a file'}"
                         " that exists")
    return path


def _rate(value: str | None) -> str | None:
    try:
        return parse_rate(value)
    except ValueError as exc:
        raise UsageError(f"--rate-limit: {exc}") from None


def resolve(given: Mapping[str, Any], env: Mapping[str, str] | None = None) -> Options:
    """Options from explicit values (None: not given) over environment variables over defaults.
    A value that cannot work raises UsageError, naming the flag and what it accepts."""
    env = os.environ if env is None else env
    raw: dict[str, Any] = {}
    for option in OPTIONS:
        value = given.get(option.dest)
        if value in (None, False) and option.env in env:
            value = env[option.env]
            if option.kind == "bool":
                value = _parse_bool(option, value)
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
        max_examples=_parse_int(BY_DEST["max_examples"], raw["max_examples"], least=1)
        if raw["max_examples"] is not None else DEFAULT_MAX_EXAMPLES,
        # Our in-process mock is thrown away after the run, so writing to it is always safe.
        allow_writes=bool(raw["allow_writes"]) or not live,
        allow_irreversible=bool(raw["allow_irreversible"]),
        rate_limit=_rate(rate), request_budget=_parse_int(
            BY_DEST["request_budget"], budget, least=0, meaning=" (0: no limit)"),
        report_dir=_existing(BY_DEST["report_dir"], raw["report_dir"] or "reports", folder=True),
        target_config=_existing(BY_DEST["target_config"], raw["target_config"])
        if raw["target_config"] else None,
        spec=_existing(BY_DEST["spec"], raw["spec"]) if raw["spec"] else DEFAULT_SPEC,
        app=raw["app"] or None,
    )


def normalise_base_url(url: str, flag: str = "--base-url") -> str:
    """`http://host:8080` and `http://host:8080/rest/` both mean the API at `.../rest`."""
    return api_base_url(url, flag)


def ensure_report_dir(path: Path) -> Path:
    """The report folder, created if missing; a folder that cannot be made is a usage mistake."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--report-dir {str(path)!r}: cannot create it ({exc.strerror}); "
                         "expected a folder you may write to") from None
    return path


def add_to(add: Callable[..., Any]) -> None:
    """Declare every option through `add` (argparse's add_argument or pytest's addoption)."""
    for option in OPTIONS:
        help_text = f"{option.help} [env {option.env}]"
        if option.kind == "bool":
            add(option.flag, dest=f"contract_{option.dest}", action="store_true", default=None,
                help=help_text)
        else:
            # Values are checked by `resolve` (flag or variable alike), which says what it accepts.
            add(option.flag, dest=f"contract_{option.dest}", default=None, type=str,
                help=help_text)


def given_from(namespace: Any) -> dict[str, Any]:
    """The values a parsed namespace (argparse or pytest) holds for our options."""
    return {f.name: getattr(namespace, f"contract_{f.name}", None) for f in fields(Options)
            if f.name in BY_DEST}
