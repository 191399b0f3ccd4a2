"""Logging: plain lines, or one JSON object a line (`LOG_FORMAT=json`) carrying the answer's
context (workspace, channel, thread, event) and any `extra` fields. Never a token, key or file
content: the bot logs none, and slack-sdk's request logs stay off unless `LOG_LEVEL=DEBUG`."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from contextvars import ContextVar
from types import MappingProxyType
from typing import Any

_context: ContextVar[Mapping[str, str]] = ContextVar("log_context", default=MappingProxyType({}))
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime"}


def bind(**fields: str | None) -> None:
    """Add fields to every log line of the current task (an answer runs in its own task)."""
    _context.set({**_context.get(), **{k: v for k, v in fields.items() if v}})


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **_context.get(),
        }
        line.update({k: v for k, v in record.__dict__.items() if k not in _STANDARD})
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


class _ContextFilter(logging.Filter):
    """Appends the answer's context to plain lines."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = _context.get()
        if context and not getattr(record, "_context_added", False):
            record.msg = f"{record.msg} [{' '.join(f'{k}={v}' for k, v in context.items())}]"
            record._context_added = True
        return True


_SLACK_TOKEN = re.compile(r"\b(xox[abeoprs]|xapp)-[A-Za-z0-9-]+")


class _Redacting(logging.Formatter):
    """Any Slack token in a line becomes `xoxb-[redacted]`: slack-sdk's DEBUG logs print the
    responses of `oauth.v2.access`, tokens included."""

    def __init__(self, inner: logging.Formatter) -> None:
        super().__init__()
        self._inner = inner

    def format(self, record: logging.LogRecord) -> str:
        return _SLACK_TOKEN.sub(lambda m: f"{m.group(1)}-[redacted]", self._inner.format(record))


def configure(level: str, fmt: str) -> None:
    handler = logging.StreamHandler()
    if fmt == "json":
        handler.setFormatter(_Redacting(JsonFormatter()))
    else:
        handler.setFormatter(_Redacting(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")))
        handler.addFilter(_ContextFilter())
    logging.basicConfig(level=level, handlers=[handler], force=True)
    # slack-sdk logs request details at DEBUG; keep them out unless asked for.
    quiet = logging.DEBUG if level == "DEBUG" else logging.WARNING
    for name in ("slack_sdk", "slack_bolt", "aiohttp.access"):
        logging.getLogger(name).setLevel(quiet)
    logging.getLogger("slack_bolt").addFilter(_drop_token_skipped_warning)


def _drop_token_skipped_warning(record: logging.LogRecord) -> bool:
    """Bolt warns that SLACK_BOT_TOKEN is unused because we hand it a client (for
    SLACK_API_URL) built with that very token: nothing for an admin to act on."""
    return "`token` will be unused" not in record.getMessage()
