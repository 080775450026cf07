"""Drift between two targets (e.g. the mock and staging): the same read-only requests to both,
compared per operation by statuses seen, fields present, their types and enum values.

    python -m contract_tests.drift --base-url A --other-base-url B [--token T --other-token T2]
    contract-test drift ...            (either URL may be left out: the in-process mock)
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

from contract_tests import options as opts
from contract_tests.run import Run, start
from mockserver.contract import spec as contract
from mockserver.contract.cases import Role, SessionCase

ENUM_FIELDS_MAX = 30  # distinct values kept per enum field


@dataclass
class Shape:
    """What one target showed for one operation."""

    statuses: set[int] = field(default_factory=set)
    types: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # path -> types
    enums: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # path -> values


def _type(value: Any) -> str:
    return {dict: "object", list: "array", str: "string", bool: "boolean", int: "integer",
            float: "number", type(None): "null"}[type(value)]


def walk(value: Any, path: str, shape: Shape, enum_names: set[str]) -> None:
    shape.types[path or "$"].add(_type(value))
    if isinstance(value, dict):
        for key, item in value.items():
            walk(item, f"{path}.{key}" if path else key, shape, enum_names)
    elif isinstance(value, list):
        for item in value[:50]:
            walk(item, f"{path}[]", shape, enum_names)
    elif (isinstance(value, str) and path.rsplit(".", 1)[-1] in enum_names
          and len(shape.enums[path]) < ENUM_FIELDS_MAX):
        shape.enums[path].add(value)


def enum_properties(raw: dict) -> set[str]:
    """Names of properties whose schema is an enum (directly or by $ref)."""
    schemas = raw.get("components", {}).get("schemas", {})
    enum_refs = {f"#/components/schemas/{name}" for name, s in schemas.items() if "enum" in s}
    names: set[str] = set()
    for s in schemas.values():
        for name, prop in (s.get("properties") or {}).items():
            if "enum" in prop or prop.get("$ref") in enum_refs:
                names.add(name)
    return names


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


def observe(run: Run) -> dict[str, Shape]:
    enum_names = enum_properties(contract.load(run.options.spec))
    shapes: dict[str, Shape] = defaultdict(Shape)
    with run.client(source="drift") as client:
        for operation, method, path, params, headers in probe_requests(run):
            response = client.request(method, path, params=params, headers=headers)
            shape = shapes[operation]
            shape.statuses.add(response.status_code)
            try:
                body = response.json()
            except ValueError:
                continue
            prefix = "ok" if response.status_code < 300 else "error"
            walk(body, prefix, shape, enum_names)
    return shapes


def compare(a: dict[str, Shape], b: dict[str, Shape]) -> dict[str, dict[str, Any]]:
    """Per operation, what differs (operations without differences are left out)."""
    report: dict[str, dict[str, Any]] = {}
    for op in sorted(set(a) | set(b)):
        left, right = a.get(op, Shape()), b.get(op, Shape())
        diff: dict[str, Any] = {}
        if left.statuses != right.statuses:
            diff["statuses"] = {"a": sorted(left.statuses), "b": sorted(right.statuses)}
        only_a = sorted(set(left.types) - set(right.types))
        only_b = sorted(set(right.types) - set(left.types))
        if only_a:
            diff["fields_only_in_a"] = only_a
        if only_b:
            diff["fields_only_in_b"] = only_b
        types = {p: {"a": sorted(left.types[p]), "b": sorted(right.types[p])}
                 for p in sorted(set(left.types) & set(right.types))
                 if left.types[p] != right.types[p]}
        if types:
            diff["types"] = types
        enums = {p: {"only_a": sorted(left.enums[p] - right.enums.get(p, set())),
                     "only_b": sorted(right.enums[p] - left.enums.get(p, set()))}
                 for p in sorted(set(left.enums) & set(right.enums))
                 if left.enums[p] != right.enums[p]}
        if enums:
            diff["enum_values"] = enums
        if diff:
            report[op] = diff
    return report


def parse(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="contract-test drift", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    opts.add_to(parser.add_argument)
    parser.add_argument("--other-base-url", help="the second target (default: the in-process mock)")
    parser.add_argument("--other-token", help="attendee token for the second target")
    parser.add_argument("--other-host-token", help="host token for the second target")
    parser.add_argument("--other-event-url", help="event url on the second target")
    parser.add_argument("--other-target-config", help="target config YAML for the second target")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    first = opts.resolve(opts.given_from(args))
    second = replace(
        first, base_url=opts.normalise_base_url(args.other_base_url) if args.other_base_url else None,
        token=args.other_token, host_token=args.other_host_token, event_url=args.other_event_url,
        target_config=Path(args.other_target_config) if args.other_target_config else None)
    if second.in_process:
        second = replace(second, rate_limit=None, request_budget=0)
    runs = [start(first), start(second)]
    shapes = [observe(r) for r in runs]
    report = compare(*shapes)
    for r in runs:
        r.finish()
    redact = runs[0].redactor
    redact.add(*runs[1].options.secrets())
    out = {"a": runs[0].target.name, "b": runs[1].target.name, "drift": report}
    first.report_dir.mkdir(parents=True, exist_ok=True)
    path = first.report_dir / "drift.json"
    path.write_text(json.dumps(redact.value(out), indent=2))
    print(redact.text(f"drift between A={out['a']} and B={out['b']}: "
                      f"{len(report)} operation(s) differ; report {path}"))
    for op, diff in report.items():
        print(redact.text(f"  {op}: {', '.join(diff)}"))
    return 1 if report else 0


if __name__ == "__main__":
    sys.exit(main())
