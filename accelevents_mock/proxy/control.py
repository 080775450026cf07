"""The proxy's own state in a running mock: its settings now (`PUT /__mock/proxy` changes them)
and what it found against the contract (`GET /__mock/violations`). Only this process's."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from accelevents_mock.contract.spec import operations
from accelevents_mock.proxy.findings import FindingLog
from accelevents_mock.proxy.settings import InvalidSetting, ProxySettings, display

BODY_FIELDS = {"target": "target", "operations": "operations", "timeout_s": "timeoutS"}


@dataclass
class ProxyControl:
    settings: ProxySettings
    findings: FindingLog = field(default_factory=FindingLog)

    def view(self) -> dict[str, Any]:
        """The settings; of the token map, only how many tokens it maps."""
        settings = self.settings
        return {"target": display(settings.target) if settings.target else None,
                "operations": sorted(settings.operations) if settings.operations is not None else None,
                "fallback": settings.fallback, "timeoutS": settings.timeout_s,
                "strict": settings.strict, "allowWrites": settings.allow_writes,
                "record": str(settings.record_dir) if settings.record_dir else None,
                "mappedTokens": len(settings.token_map)}

    def change(self, body: dict[str, Any]) -> None:
        """Point the proxy at another target (null: the mock answers everything), other
        operations (null: all), or change fallback, strictness, writes and timeout. ValueError
        naming what is wrong; nothing changes then."""
        settings = self.settings.copy()
        ops = body.get("operations", sorted(settings.operations) if settings.operations else None)
        if ops is not None and (not isinstance(ops, list)
                                or not all(isinstance(op, str) for op in ops)):
            raise ValueError("operations must be a list of operationIds, or null for all")
        settings.target = body.get("target", settings.target)
        settings.operations = frozenset(ops) if ops is not None else None
        settings.timeout_s = body.get("timeoutS", settings.timeout_s)
        settings.fallback = _flag(body, "fallback", settings.fallback)
        settings.strict = _flag(body, "strict", settings.strict)
        settings.allow_writes = _flag(body, "allowWrites", settings.allow_writes)
        try:
            settings.validate(operations())
        except InvalidSetting as exc:
            null = " or null: the mock answers everything" if exc.setting == "target" else ""
            raise ValueError(f"{BODY_FIELDS[exc.setting]}: {exc}{null}") from exc
        settings.timeout_s = float(settings.timeout_s)
        self.settings = settings


def _flag(body: dict[str, Any], key: str, default: bool) -> bool:
    value = body.get(key, default)
    if not isinstance(value, bool):
        raise ValueError(f"{key} must be true or false")
    return value
