"""Runs a Markdown file's shell examples against a mock, the way a newcomer pasting them would.

The convention (docs/contributing.md says the same for writers):

- Every ```sh (or bash, shell) block runs, in file order, in ONE bash shell, so a variable set
  in one block is there in the next. Each command must succeed (`set -e -o pipefail`).
- `http://127.0.0.1:8080` (and `ws://`, `localhost:8080`) is rewritten to the mock under test,
  which runs on a free port. The shell starts in a scratch directory that links the
  repository's top-level entries, so `.venv/bin/...` works and files the examples write
  (`snap.json`) land there.
- A block a test cannot run (it needs staging, sudo, Redis, or starts a server of its own) is
  preceded by a mark that says why: `<!-- not run: needs a staging deployment -->`. A mark
  without a reason, or one that is not right before a block, is an error.
- A block that names a host other than this machine's loopback (staging.example.com, a public
  API) must carry a `not run` mark: the runner refuses to send anything off this machine.
- Every HTTP call made by `curl` must answer 2xx, unless its line states another result in its
  comment, after an arrow:
      curl -H "$A" -X POST "$B/session/11007/register" -i    # 2. register → void 200
      curl ... -H 'X-Mock-Scenario: capacity-reached'        # → 406 "capacity reached"
  `→ 406` is the status; `void` adds "and an empty body"; each "quoted text" must appear in what
  curl printed. The result applies to every call the line makes (a loop's too). An arrow on a
  line that makes no call is an error: nothing would check it.

How: `curl` is a shell function that runs the real curl, adds `-sS` and a `--write-out` of the
status to stderr, and files status, exit code and output under the README line that called it
(bash's BASH_LINENO, mapped back through the script's line table).
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token

REPO = Path(__file__).resolve().parent.parent
SHELLS = ("sh", "bash", "shell")
DOCUMENTED_HOSTS = ("127.0.0.1:8080", "localhost:8080")
MARK = re.compile(r"<!--\s*not run\b(?P<rest>.*?)-->", re.DOTALL)
ARROW = re.compile(r"(?:^|\s)#[^\n]*?→\s*(?P<result>.*)$")
RESULT = re.compile(r'^(?P<void>void\s+)?(?P<status>\d{3}\b)?\s*(?P<rest>.*)$')
QUOTED = re.compile(r'"([^"]*)"')
URL_HOST = re.compile(r"\b(?:https?|wss?)://(?P<host>\[[^\]]*\]|[^/\s'\"`:]+)")
LOOPBACK = re.compile(r"^(127(\.\d{1,3}){3}|localhost|\[::1\])$")
TIMEOUT_S = 60
NOT_LINKED = {".git", "reports"}  # reports/: what the examples write stays in the scratch copy

# Runs before the examples: where the shell is and why it stopped, the recording curl, and
# `less` as `cat` (a test has no terminal).
PRELUDE = r"""
set -e -o pipefail
trap '__rc=$?; echo "$LINENO $__rc" > "$__RUN/failed"' ERR
trap 'echo "$LINENO" > "$__RUN/at"' DEBUG
less() { cat "$@"; }
curl() {
  local at=${BASH_LINENO[0]} call
  call=$(mktemp "$__RUN/call.$at.XXXXXX")
  { command curl -sS "$@" -w '%{stderr}\n@@status=%{http_code}\n' 2> "$call.err" \
      && echo 0 > "$call.rc" || echo $? > "$call.rc"; } | tee "$call.out"
  grep -v '^@@status=' "$call.err" | grep . >&2 || true
  return "$(cat "$call.rc")"
}
"""


class MarkdownError(ValueError):
    """The Markdown breaks the convention (a mark without a reason, an arrow we cannot read)."""


@dataclass(frozen=True)
class Expected:
    status: int | None = None  # None: any 2xx
    void: bool = False
    texts: tuple[str, ...] = ()

    def problems(self, status: int, output: str) -> list[str]:
        found = []
        if self.status is None and not 200 <= status < 300:
            found.append(f"answered {status}, and the text promises no error here")
        if self.status is not None and status != self.status:
            found.append(f"answered {status}, the text says {self.status}")
        if self.void and body_of(output).strip():
            found.append(f"the text says void, the body is {body_of(output)[:80]!r}")
        found += [f"the text promises {text!r} in the output" for text in self.texts
                  if text not in output]
        return found


@dataclass(frozen=True)
class Command:
    """One logical line of a block (backslash continuations joined), where it is in the file."""
    path: Path
    first: int  # 1-based line numbers in the Markdown file
    last: int
    text: str
    expected: Expected | None  # None: no arrow on this line

    @property
    def where(self) -> str:
        return f"{self.path.name}:{self.first}"


@dataclass(frozen=True)
class Block:
    path: Path
    first: int  # the 1-based Markdown line of the block's first command line
    lines: tuple[str, ...]
    not_run: str | None  # the mark's reason

    def commands(self) -> list[Command]:
        commands, start, joined = [], 0, ""
        for i, line in enumerate(self.lines):
            if not joined:
                start = i
            joined += line + "\n"
            if not line.endswith("\\"):
                commands.append(Command(self.path, self.first + start, self.first + i,
                                        joined.rstrip("\n"), expected_from(line, self.first + i)))
                joined = ""
        return commands


@dataclass
class Call:
    line: int  # the Markdown line that made it
    status: int
    exit_code: int
    output: str


@dataclass
class Outcome:
    ran: list[Block] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    shell_output: str = ""


def expected_from(line: str, where: int) -> Expected | None:
    arrow = ARROW.search(line)
    if not arrow:
        return None
    result = RESULT.match(arrow.group("result").strip())
    assert result is not None  # every part of RESULT is optional
    texts = tuple(QUOTED.findall(result.group("rest")))
    if not (result.group("status") or texts):
        raise MarkdownError(f"line {where}: after → write a status and/or \"text\", e.g. → 406")
    return Expected(int(result.group("status")) if result.group("status") else None,
                    bool(result.group("void")), texts)


def body_of(output: str) -> str:
    """What follows the headers when curl was asked for them (-i); else all of it."""
    if not output.startswith("HTTP/"):
        return output
    parts = re.split(r"\r?\n\r?\n", output, maxsplit=1)
    return parts[1] if len(parts) == 2 else ""


def mark_reason(token: Token | None) -> str | None:
    """The reason of a `<!-- not run: REASON -->` mark ("" if it gives none); None: no mark."""
    mark = MARK.search(token.content) if token and token.type == "html_block" else None
    return mark.group("rest").strip().lstrip(":").strip() if mark else None


def read_blocks(path: Path) -> list[Block]:
    """The shell blocks of a Markdown file, each with its `not run` mark's reason, if any."""
    tokens = MarkdownIt("commonmark").parse(path.read_text(encoding="utf-8"))
    blocks: list[Block] = []
    for i, token in enumerate(tokens):
        reason = mark_reason(token)
        if reason is not None:
            where = f"{path.name}:{token.map[0] + 1 if token.map else '?'}"
            if not reason:
                raise MarkdownError(f"{where}: a `not run` mark must say why")
            if i + 1 == len(tokens) or tokens[i + 1].type != "fence":
                raise MarkdownError(f"{where}: a `not run` mark must come right before the "
                                    "block it is about")
        language = token.info.split()[:1] if token.type == "fence" else []
        if language and language[0] in SHELLS and token.map:
            block = Block(path, token.map[0] + 2, tuple(token.content.rstrip("\n").split("\n")),
                          mark_reason(tokens[i - 1] if i else None))
            if block.not_run is None:
                refuse_remote_hosts(block)
            blocks.append(block)
    return blocks


def refuse_remote_hosts(block: Block) -> None:
    """A runnable block may reach only this machine: anything else needs a `not run` mark."""
    for offset, line in enumerate(block.lines):
        for match in URL_HOST.finditer(line):
            if not LOOPBACK.match(match.group("host")):
                raise MarkdownError(f"{block.path.name}:{block.first + offset}: names "
                                    f"{match.group('host')}, which is not this machine: mark the "
                                    "block `<!-- not run: needs ... -->`")


def rewrite(text: str, base_url: str) -> str:
    host = base_url.split("://", 1)[1]
    for documented in DOCUMENTED_HOSTS:
        text = text.replace(documented, host)
    return text


def script_for(blocks: Iterable[Block], base_url: str) -> tuple[str, dict[int, int]]:
    """One bash script of every runnable block, and its line table (script line → Markdown)."""
    lines = PRELUDE.strip("\n").split("\n")
    table: dict[int, int] = {}
    for block in blocks:
        for offset, line in enumerate(block.lines):
            lines.append(rewrite(line, base_url))
            table[len(lines)] = block.first + offset
    return "\n".join(lines) + "\n", table


def scratch_dir(workdir: Path) -> Path:
    """A directory that looks like the repository (links) but keeps what the examples write."""
    workdir.mkdir(parents=True, exist_ok=True)
    for entry in REPO.iterdir():
        if entry.name not in NOT_LINKED and not (workdir / entry.name).exists():
            (workdir / entry.name).symlink_to(entry)
    return workdir


def run_blocks(blocks: list[Block], base_url: str, workdir: Path,
               timeout_s: float = TIMEOUT_S) -> Outcome:
    outcome = Outcome(ran=[b for b in blocks if b.not_run is None])
    document = ", ".join(sorted({b.path.name for b in blocks}))  # one file per run: one shell
    script, table = script_for(outcome.ran, base_url)
    record = workdir / "calls"
    record.mkdir(parents=True)
    shell = scratch_dir(workdir / "shell")
    (workdir / "examples.sh").write_text(script)
    finished = run_shell(workdir / "examples.sh", shell, record, timeout_s)
    outcome.shell_output = (record / "shell.log").read_text(errors="replace")
    failed = record / "failed"
    if not finished:
        line = int((record / "at").read_text()) if (record / "at").exists() else 0
        outcome.problems.append(f"{failing_command(outcome.ran, table.get(line), document)} did "
                                f"not finish within {timeout_s:g} s: a command that runs until "
                                "stopped (a server, a listener) needs a `<!-- not run: why -->`")
    elif failed.exists():
        at, code = failed.read_text().split()
        outcome.problems.append(f"{failing_command(outcome.ran, table.get(int(at)), document)}"
                                f" failed (exit {code}); the shell's last words:\n"
                                f"{outcome.shell_output[-1000:]}")
    outcome.calls = read_calls(record, table)
    outcome.problems += check(outcome.ran, outcome.calls)
    return outcome


def failing_command(blocks: list[Block], line: int | None, document: str) -> str:
    """`README.md:297: `the command``, for the Markdown line bash says failed."""
    for command in (c for block in blocks for c in block.commands()):
        if line is not None and command.first <= line <= command.last:
            return f"{command.where}: `{command.text}`"
    return f"{document}:{line or '?'}:"


def run_shell(script: Path, cwd: Path, record: Path, timeout_s: float) -> bool:
    """Runs the script; False if it did not finish in time. Output goes to a file, not a pipe:
    a background job left running (a listener) would hold a pipe open after the shell ends."""
    env = {**os.environ, "__RUN": str(record)}
    with (record / "shell.log").open("w") as log:
        process = subprocess.Popen(["bash", str(script)], cwd=cwd, env=env, text=True,
                                   stdin=subprocess.DEVNULL, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    try:
        process.wait(timeout=timeout_s)
        return True
    except subprocess.TimeoutExpired:
        return False
    finally:
        # The shell and its background jobs share one process group: end all of them.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        process.wait()


def read_calls(record: Path, table: dict[int, int]) -> list[Call]:
    calls = []
    for rc_file in sorted(record.glob("call.*.rc")):
        stem = str(rc_file)[:-len(".rc")]
        status = re.findall(r"@@status=(\d+)", Path(stem + ".err").read_text())
        calls.append(Call(table.get(int(Path(stem).name.split(".")[1]), 0),
                          int(status[-1]) if status else 0, int(rc_file.read_text()),
                          Path(stem + ".out").read_text(errors="replace")))
    return calls


def check(blocks: list[Block], calls: list[Call]) -> list[str]:
    problems = []
    for command in (c for block in blocks for c in block.commands()):
        made = [call for call in calls if command.first <= call.line <= command.last]
        if command.expected is not None and not made:
            problems.append(f"{command.where}: `{command.text}` promises a result but made no "
                            "HTTP call (or never ran)")
        for call in made:
            if call.exit_code:
                problems.append(f"{command.where}: `{command.text}`: curl exited {call.exit_code}")
                continue
            for problem in (command.expected or Expected()).problems(call.status, call.output):
                problems.append(f"{command.where}: `{command.text}`: {problem}")
    return problems


def main(argv: list[str] | None = None) -> int:
    """`.venv/bin/python -m tests.readme_runner [FILE.md ...]`: check examples while writing them."""
    import sys
    import tempfile

    from tests.live import running_mock

    documents = [Path(p) for p in (sys.argv[1:] if argv is None else argv)] or [REPO / "README.md"]
    problems = []
    for document in documents:
        blocks = read_blocks(document)
        outcome = Outcome()
        if any(b.not_run is None for b in blocks):
            with running_mock("--seed", "42") as live, tempfile.TemporaryDirectory() as work:
                outcome = run_blocks(blocks, live.base_url, Path(work))
        skipped = sum(b.not_run is not None for b in blocks)
        print(f"{document}: {len(outcome.ran)} blocks run, {skipped} marked not run, "
              f"{len(outcome.calls)} HTTP calls, {len(outcome.problems)} problems")
        problems += outcome.problems
    print("\n".join(problems))
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
