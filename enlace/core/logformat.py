"""Log records as one JSON object a line (LOG_FORMAT=json), for a log collector.

The fields: `time` (UTC, ISO 8601), `level`, `logger`, `message`, `request_id`, `process`, and
`exc` (the traceback) when there is one. Messages are the code's own; they must never carry
personal data (a case's id, never a citizen's name or DUI).
"""

from __future__ import annotations

import json
import logging
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
