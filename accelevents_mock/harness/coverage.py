"""Error-code coverage: for every documented (operation, status, code, message) of the catalogue,
whether this run saw the target answer it, and which request did."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass

from accelevents_mock.contract import catalogue
from accelevents_mock.contract import spec as contract
from accelevents_mock.harness.options import IRREVERSIBLE_OPERATIONS
from accelevents_mock.harness.traffic import Exchange

NEEDS_WRITES = "needs --allow-writes"
NEEDS_IRREVERSIBLE = "needs --allow-irreversible"


@dataclass
class Row:
    operation: str
    scenario: str
    status: int
    code: str
    message: str
    inferred: bool
    observed: bool = False
    request: str | None = None  # METHOD path?query, redacted
    source: str | None = None  # property | stateful | scenario ...
    wrong_message: str | None = None  # same status and code seen, but another message
    blocked: str | None = None  # why this run could not reach it (NEEDS_WRITES ...), if not seen

    def as_dict(self) -> dict:
        return asdict(self)


def matrix(traffic: Iterable[Exchange], *, writes: bool = True, irreversible: bool = True) -> list[Row]:
    """`writes`/`irreversible`: whether the run was allowed them (a cell it could not reach
    without them says so)."""
    ops = contract.operations()
    exchanges = [e for e in traffic if e.operation and e.status >= 400]
    rows: list[Row] = []
    for case in catalogue.CATALOGUE:
        pattern = case.message_pattern()
        for operation in case.operations:
            row = Row(operation, case.scenario, case.status, case.code, case.message,
                      case.inferred is not None)
            for exchange in exchanges:
                if exchange.operation != operation or exchange.status != case.status:
                    continue
                body = exchange.json()
                if not isinstance(body, dict) or body.get("errorCode") != case.code:
                    continue
                if pattern.fullmatch(str(body.get("errorMessage"))):
                    row.observed, row.request, row.source = True, exchange.request_line, exchange.source
                    row.wrong_message = None
                    break
                row.wrong_message = row.wrong_message or str(body.get("errorMessage"))
            if not row.observed:
                row.blocked = (NEEDS_WRITES if not writes and not ops[operation].safe else
                               NEEDS_IRREVERSIBLE if not irreversible
                               and operation in IRREVERSIBLE_OPERATIONS else None)
            rows.append(row)
    return rows


def summary(rows: list[Row]) -> dict[str, int]:
    return {"documented": len(rows), "observed": sum(r.observed for r in rows),
            "wrong_message": sum(bool(r.wrong_message) for r in rows)}
