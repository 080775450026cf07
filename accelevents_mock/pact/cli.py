"""`accelevents-mock pact check FILE...`: consumer pacts checked against openapi.yaml, with
nothing running (see check.py). One line per finding; a JSON report; exit 1 on any finding."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from accelevents_mock.pact.check import NotAPact, Pact, as_json, check_pact

EPILOG = """A FILE may be a loopback URL (the mock's own export, say).

example:
  accelevents-mock pact check "http://127.0.0.1:8080/__mock/pact?consumer=web" --report /tmp/pact-check.json
"""
DEFAULT_REPORT = Path("reports") / "pact-check.json"
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


class Mistake(Exception):
    """A command-line mistake: one line, exit 2."""


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="accelevents-mock pact", description=__doc__, epilog=EPILOG,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    verbs = p.add_subparsers(dest="verb", metavar="check", required=True,
                             help="check: consumer pacts against openapi.yaml")
    check = verbs.add_parser("check", help="check pact files against openapi.yaml (nothing running)",
                             description=__doc__, epilog=EPILOG,
                             formatter_class=argparse.RawDescriptionHelpFormatter)
    check.add_argument("files", nargs="+", metavar="FILE", help="pact JSON files (specification 2, 3 or 4)")
    check.add_argument("--report", type=Path, default=DEFAULT_REPORT,
                       help="where the JSON report goes (default %(default)s)")
    return p


def read(name: str) -> Pact:
    if name.startswith(("http://", "https://")):
        host = urlsplit(name).hostname or ""
        if host not in LOOPBACK_HOSTS:
            raise Mistake(f"{name}: only a loopback URL (127.0.0.1, localhost) or a file is read")
        try:
            text = httpx.get(name, timeout=30).raise_for_status().text
        except httpx.HTTPError as exc:
            raise Mistake(f"{name}: could not fetch it ({exc})") from exc
    else:
        try:
            text = Path(name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise Mistake(f"{name}: cannot read it ({type(exc).__name__}): give a pact JSON file") from exc
    try:
        pact = json.loads(text)
    except ValueError as exc:
        raise Mistake(f"{name}: not JSON ({exc}): give a pact JSON file") from exc
    return pact if isinstance(pact, dict) else {}


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(sys.argv[1:] if argv is None else argv)
    try:
        pacts = {name: read(name) for name in args.files}
        results = {name: check_pact(pact) for name, pact in pacts.items()}
    except (Mistake, NotAPact) as exc:
        print(f"accelevents-mock pact check: {exc}", file=sys.stderr)
        return 2
    findings = [as_json(f, name) for name, (_, found) in results.items() for f in found]
    for finding in findings:
        print(f"{finding['file']}: {finding['interaction']!r}: {finding['what']} ({finding['where']})")
    counted = sum(count for count, _ in results.values())
    print(f"{len(findings)} finding(s) in {counted} interaction(s) of {len(pacts)} pact(s); "
          f"report {args.report}")
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(json.dumps({"files": list(pacts), "interactions": counted,
                                       "findings": findings}, indent=2, ensure_ascii=False))
    return 1 if findings else 0
