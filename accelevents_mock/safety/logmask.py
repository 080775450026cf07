"""Keeping credentials out of the server's logs.

Clients send tokens in headers, which uvicorn never logs, but the networking socket also takes
`?token=` in its URL, and uvicorn logs every URL with its query. This filter masks the value of
any query parameter that carries a credential, in every record uvicorn writes.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

from uvicorn.config import LOGGING_CONFIG

from accelevents_mock.safety.redact import mask_secrets


class MaskSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(mask_secrets(a) if isinstance(a, str) else a for a in record.args)
        if isinstance(record.msg, str):
            record.msg = mask_secrets(record.msg)
        return True


def logging_config() -> dict[str, Any]:
    """uvicorn's logging set-up with `MaskSecrets` on every handler (workers load it too)."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config["filters"] = {"mask_secrets": {"()": "accelevents_mock.safety.logmask.MaskSecrets"}}
    for handler in config["handlers"].values():
        handler["filters"] = ["mask_secrets"]
    return config
