"""Log lines as JSON objects, one per event, for log shippers; or plain text for people.

`STUDIO_LOG_FORMAT=json` (the default) or `plain`. Job events carry `job_id`, `provider`, `model`,
`user_id` and `attempt` as their own keys (passed with `extra=`). Whatever the message says,
bearer tokens, key-shaped strings and the passwords in URLs are masked, and long text (a prompt
quoted in an error) is cut: secrets and prompts never reach the logs in full.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime

CONTEXT_KEYS = ("job_id", "provider", "model", "user_id", "attempt", "event", "kind", "status")
MAX_MESSAGE_CHARS = 1000
_SECRETS = (
    # The password of any URL (`scheme://user:password@host`: a Redis, database or broker URL in
    # a connection error): all of the authority up to its last "@", as URL parsers read it; the
    # user and the host stay readable.
    (re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://[^\s:/?#@]*):[^\s/?#]*@"), r"\1:[redacted]@"),
    (re.compile(r"(?i)(bearer\s+)[^\s\"',]+"), r"\1[redacted]"),
    (re.compile(r"\b(sk|key|token)-[A-Za-z0-9_\-]{6,}"), r"\1-[redacted]"),
    (re.compile(r"(?i)(api[_-]?key[\"'=: ]+)[^\s\"',&]+"), r"\1[redacted]"),
)


def scrub(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    """Mask anything that looks like a credential and cut the text to `limit` characters."""
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text if len(text) <= limit else text[:limit] + f"… [{len(text) - limit} more]"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, str | int | float] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": scrub(record.getMessage()),
        }
        for key in CONTEXT_KEYS:
            value = getattr(record, key, None)
            if value is not None:
                entry[key] = value if isinstance(value, int | float) else str(value)
        if record.exc_info:
            entry["exception"] = scrub(self.formatException(record.exc_info), 4000)
        return json.dumps(entry, ensure_ascii=False)


class PlainFormatter(logging.Formatter):
    """The classic line, with the job's keys appended and the same masking."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = scrub(super().format(record), 8000)
        context = [f"{k}={getattr(record, k)}" for k in CONTEXT_KEYS if hasattr(record, k)]
        return f"{line} [{' '.join(context)}]" if context else line


def logging_config(log_format: str, level: str) -> dict:
    """Django's LOGGING for `json` or `plain` lines on stderr."""
    formatter = (
        "studio.logs.JsonFormatter" if log_format == "json" else "studio.logs.PlainFormatter"
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"studio": {"()": formatter}},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "studio"}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {"django.db.backends": {"level": "WARNING"}},
    }
