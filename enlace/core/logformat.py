"""Log records as one JSON object a line (LOG_FORMAT=json), for a log collector.

The fields: `time` (UTC, ISO 8601), `level`, `logger`, `message`, `request_id`, `process`, and
`exc` (the traceback) when there is one. Messages are the code's own; they must never carry
personal data (a case's id, never a citizen's name or DUI).
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime

# Fields a record may carry besides the message (`logger.info(..., extra={...})`).
EXTRA_FIELDS = ("method", "route", "status", "duration_ms")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
            "process": record.process,
        }
        for name in EXTRA_FIELDS:
            if hasattr(record, name):
                entry[name] = getattr(record, name)
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exc"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False, default=str)


# --- Links that are secrets --------------------------------------------------------------------
# Some URLs carry a secret in their path (a study's invitation, a password reset): whoever holds
# the link may use it. Django's own log lines name the path (a CSRF refusal, a 404), so every
# record is redacted on its way to the handler. Apps register their patterns in `ready()`
# (core knows no app); a pattern's first group is what is hidden.
_SECRET_PATHS: list[re.Pattern[str]] = []


def register_secret_path(pattern: str) -> None:
    compiled = re.compile(pattern)
    if all(known.pattern != compiled.pattern for known in _SECRET_PATHS):
        _SECRET_PATHS.append(compiled)


def redact(text: str) -> str:
    for pattern in _SECRET_PATHS:
        text = pattern.sub(lambda m: m.group(0).replace(m.group(1), "***"), text)
    return text


class SecretPathFilter(logging.Filter):
    """Rewrites a record whose message holds a secret link, the secret replaced by ***."""

    def filter(self, record: logging.LogRecord) -> bool:
        if _SECRET_PATHS:
            try:
                message = record.getMessage()
            except (TypeError, ValueError):  # a malformed call: logging reports it itself
                return True
            redacted = redact(message)
            if redacted != message:
                record.msg = redacted
                record.args = ()
        return True
