"""Drift between two targets (e.g. the mock and staging): the same read-only requests to both,
compared per operation. Contract drift (exit 1) is kept apart from data notes (differences two
correct targets holding different data show; they never fail the run): see `compare`.

    python -m accelevents_mock.harness.drift --base-url A --other-base-url B [--token T --other-token T2]
    accelevents-mock drift ...            (either URL may be left out: the in-process mock)
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from accelevents_mock.contract import spec as contract
from accelevents_mock.contract.cases import Role, SessionCase
from accelevents_mock.harness import options as opts
from accelevents_mock.harness.run import Run, preflight, start
from accelevents_mock.terminal.progress import Progress
from accelevents_mock.terminal.usage import OneLineParser, UsageError, stop

ENUM_FIELDS_MAX = 30  # distinct values kept per enum field


@dataclass
class Shape:
    """What one target showed for one operation."""

    statuses: dict[str, int] = field(default_factory=dict)  # probe -> status
    types: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # path -> types
    seen: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # path -> samples holding it
    objects: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # path -> objects sampled
    enums: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # path -> values


def _type(value: Any) -> str:
    return {dict: "object", list: "array", str: "string", bool: "boolean", int: "integer",
            float: "number", type(None): "null"}[type(value)]


def walk(value: Any, path: str, shape: Shape, enum_names: set[str]) -> None:
    shape.types[path or "$"].add(_type(value))
    if isinstance(value, dict):
        shape.objects[path] += 1
        for key, item in value.items():
            child = f"{path}.{key}" if path else key
            shape.seen[child] += 1
            walk(item, child, shape, enum_names)
    elif isinstance(value, list):
        for item in value[:50]:
            walk(item, f"{path}[]", shape, enum_names)
    elif (isinstance(value, str) and path.rsplit(".", 1)[-1] in enum_names
          and len(shape.enums[path]) < ENUM_FIELDS_MAX):
        shape.enums[path].add(value)


def enum_values(raw: dict) -> dict[str, set[str]]:
    """Property name -> the values the spec's enum allows (directly or by $ref)."""
    schemas = raw.get("components", {}).get("schemas", {})
    allowed: dict[str, set[str]] = {}

    def values(prop: dict) -> list[Any] | None:
        ref = prop.get("$ref", "")
        target = schemas.get(ref.rsplit("/", 1)[-1], {}) if ref else prop
        return target.get("enum")

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            for name, prop in (node.get("properties") or {}).items():
                found = values(prop) if isinstance(prop, dict) else None
                if found:
                    allowed.setdefault(name, set()).update(str(v) for v in found if v is not None)
            for item in node.values():
                visit(item)
        elif isinstance(node, list):
            for item in node:
                visit(item)

    visit(raw)
    return allowed


def enum_properties(raw: dict) -> set[str]:
    """Names of properties whose schema is an enum (directly or by $ref)."""
    return set(enum_values(raw))


def probe_requests(run: Run) -> list[tuple[str, str, str, dict[str, str], dict[str, str]]]:
    """(operationId, method, path, params, headers) of the read-only probes for one target."""
    cases = run.cases
    event = cases.eventurl or "mock-event"
    session = cases.session(SessionCase.OPEN) or cases.missing_session
    attendee, host = cases.token(Role.ATTENDEE), cases.token(Role.HOST)
    probes: list[tuple[str, str, str, dict[str, str], dict[str, str]]] = []
    for op in contract.operations(run.options.spec).values():
        if not op.safe:
            continue
        token = host if op.path.startswith("/host/") else attendee
        auth = {"Authorization": token} if token else {}
        for variant_event, variant_session, headers in (
                (event, session, auth), (event, session, {}),
                (event, cases.missing_session, auth), (cases.missing_eventurl, session, auth)):
            path = (op.path.replace("{eventurl}", variant_event)
                    .replace("{sessionId}", str(variant_session)).replace("{id}", str(variant_session)))
            probes.append((op.operation_id, op.method, path, {}, headers))
    return probes


PROBE_NAMES = ("known session", "no credential", "missing session", "missing event")


def observe(run: Run) -> dict[str, Shape]:
    enum_names = enum_properties(contract.load(run.options.spec))
    shapes: dict[str, Shape] = defaultdict(Shape)
    with run.client(source="drift") as client:
        for number, (operation, method, path, params, headers) in enumerate(probe_requests(run)):
            response = client.request(method, path, params=params, headers=headers)
            shape = shapes[operation]
            shape.statuses[PROBE_NAMES[number % len(PROBE_NAMES)]] = response.status_code
            try:
                body = response.json()
            except ValueError:
                continue
            prefix = "ok" if response.status_code < 300 else "error"
            walk(body, prefix, shape, enum_names)
    return shapes


def _parent(path: str) -> str:
    return path.rsplit(".", 1)[0] if "." in path else ""


def compare(a: dict[str, Shape], b: dict[str, Shape],
            allowed: dict[str, set[str]] | None = None) -> dict[str, dict[str, Any]]:
    """Per operation, the contract drift and the data notes (operations without either are left
    out). Drift: another status for the same probe; a type that differs beyond null; a field one
    side always sends and the other never, over all objects where it could appear; an enum value
    outside the spec. Everything else (null against a value, an empty array, other enum values
    within the spec) is a data note."""
    allowed = allowed if allowed is not None else enum_values(contract.load())
    report: dict[str, dict[str, Any]] = {}
    for op in sorted(set(a) | set(b)):
        left, right = a.get(op, Shape()), b.get(op, Shape())
        drift: dict[str, Any] = {}
        notes: dict[str, Any] = {}
        statuses = {probe: {"a": left.statuses.get(probe), "b": right.statuses.get(probe)}
                    for probe in sorted(set(left.statuses) | set(right.statuses))
                    if left.statuses.get(probe) != right.statuses.get(probe)}
        if statuses:
            drift["statuses"] = statuses
        types, nulls = {}, {}
        for path in sorted(set(left.types) & set(right.types)):
            if left.types[path] == right.types[path]:
                continue
            plain_a, plain_b = left.types[path] - {"null"}, right.types[path] - {"null"}
            entry = {"a": sorted(left.types[path]), "b": sorted(right.types[path])}
            if plain_a and plain_b and plain_a != plain_b:
                types[path] = entry
            else:
                nulls[path] = entry
        if types:
            drift["types"] = types
        if nulls:
            notes["null_or_value"] = nulls
        fields, unseen = {}, []
        for path in sorted(set(left.seen) | set(right.seen)):
            parent = _parent(path)
            in_a, in_b = left.seen.get(path, 0), right.seen.get(path, 0)
            objs_a, objs_b = left.objects.get(parent, 0), right.objects.get(parent, 0)
            if not (objs_a and objs_b):
                if in_a != in_b:
                    unseen.append(path)  # e.g. under an array that is empty on one side
                continue
            if (in_a == objs_a and in_b == 0) or (in_b == objs_b and in_a == 0):
                fields[path] = {"a": f"{in_a}/{objs_a}", "b": f"{in_b}/{objs_b}"}
        if fields:
            drift["fields"] = fields
        if unseen:
            notes["fields_not_comparable"] = unseen
        outside, other_values = {}, {}
        for path in sorted(set(left.enums) | set(right.enums)):
            spec = allowed.get(path.rsplit(".", 1)[-1], set())
            bad = {"a": sorted(left.enums.get(path, set()) - spec),
                   "b": sorted(right.enums.get(path, set()) - spec)}
            if bad["a"] or bad["b"]:
                outside[path] = bad
            elif left.enums.get(path) != right.enums.get(path):
                seen_a, seen_b = left.enums.get(path, set()), right.enums.get(path, set())
                other_values[path] = {"only_a": sorted(seen_a - seen_b), "only_b": sorted(seen_b - seen_a)}
        if outside:
            drift["enum_values_outside_spec"] = outside
        if other_values:
            notes["enum_values"] = other_values
        if drift or notes:
            report[op] = {"drift": drift, "data_notes": notes}
    return report


PROG = "accelevents-mock drift"
EXAMPLE = """example (`make run`'s mock against a mock of seed 7 in process):
  accelevents-mock drift --base-url http://127.0.0.1:8080/rest --token attendee-token \\
      --host-token host-token --other-app accelevents_mock.harness.drift:seed_7 --report-dir /tmp/drift
"""


def seed_7() -> Any:
    """A second in-process target for the example above: the default mock on another seed."""
    from accelevents_mock.app import create_app
    from accelevents_mock.config import MockConfig

    return create_app(MockConfig(seed=7))


def parser() -> argparse.ArgumentParser:
    p = OneLineParser(prog=PROG, description=__doc__, epilog=EXAMPLE,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    opts.add_to(p.add_argument)
    p.add_argument("--other-base-url", help="the second target (default: the in-process mock)")
    p.add_argument("--other-token", help="attendee token for the second target")
    p.add_argument("--other-host-token", help="host token for the second target")
    p.add_argument("--other-event-url", help="event url on the second target")
    p.add_argument("--other-target-config", help="target config YAML for the second target")
    p.add_argument("--other-app", help="in-process second target as module:callable")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress lines")
    return p


def parse(argv: Sequence[str]) -> argparse.Namespace:
    return parser().parse_args(argv)


def targets(args: argparse.Namespace) -> tuple[opts.Options, opts.Options]:
    """The two targets' options; UsageError names the flag that cannot work."""
    first = opts.resolve(opts.given_from(args))
    config = args.other_target_config
    if config and not Path(config).is_file():
        raise UsageError(f"--other-target-config {config!r}: no such file; expected a YAML file "
                         "that exists")
    second = replace(
        first, base_url=opts.normalise_base_url(args.other_base_url, "--other-base-url")
        if args.other_base_url else None,
        token=args.other_token, host_token=args.other_host_token, event_url=args.other_event_url,
        target_config=Path(config) if config else None, app=args.other_app)
    if second.in_process:
        second = replace(second, rate_limit=None, request_budget=0)
    opts.ensure_report_dir(first.report_dir)
    return first, second


def started(first: opts.Options, second: opts.Options) -> list[Run]:
    """Both runs, each target reached and its tokens accepted (PreflightError otherwise)."""
    runs = [start(first), start(second)]
    for run, flags in zip(runs, ("--", "--other-"), strict=True):
        preflight(run, flags)
    return runs


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    try:
        first, second = targets(args)
        runs = started(first, second)
    except UsageError as exc:
        stop(PROG, str(exc))
    probes = sum(len(probe_requests(r)) for r in runs)
    with Progress("drift", probes, quiet=args.quiet) as progress:
        for r in runs:
            r.throttle.on_send = progress.advance
        shapes = [observe(r) for r in runs]
    print(f"drift: sent {progress.done} of {probes} probes"
          + ("" if progress.done >= probes else " (stopped: the request budget was used up)"))
    report = compare(shapes[0], shapes[1], enum_values(contract.load(first.spec)))
    drifted = {op: entry["drift"] for op, entry in report.items() if entry["drift"]}
    for r in runs:
        r.finish()
    redact = runs[0].redactor
    redact.add(*runs[1].options.secrets())
    out = {"a": runs[0].target.name, "b": runs[1].target.name, "drift": drifted,
           "data_notes": {op: entry["data_notes"] for op, entry in report.items() if entry["data_notes"]}}
    first.report_dir.mkdir(parents=True, exist_ok=True)
    path = first.report_dir / "drift.json"
    path.write_text(json.dumps(redact.value(out), indent=2))
    print(redact.text(f"drift between A={out['a']} and B={out['b']}: "
                      f"{len(drifted)} operation(s) drift; data notes on {len(out['data_notes'])}; "
                      f"report {path}"))
    for op, diff in drifted.items():
        print(redact.text(f"  {op}: {', '.join(diff)}"))
    return 1 if drifted else 0
