"""What a provider's failure means: the one place that reads an error's status, code and words,
decides whether trying again could help, and writes the sentence a person reads.

`http.py` hands it every non-2xx answer; the dialects hand it the error envelopes some services
send under HTTP 200. The provider's own words are redacted (the API key never shows), then cut.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from jobs import messages as texts
from jobs.messages import job_text

from .base import ProviderError
from .redaction import redact

MESSAGE_LIMIT = 300  # a provider's own words in our messages, cut after redaction
TRANSIENT_STATUSES = frozenset({408, 409, 429})
POLICY_CODES = frozenset(
    {
        "content_policy_violation",
        "moderation_blocked",
        "datainspectionfailed",
        "data_inspection_failed",
        "ipinfringementsuspect",
    }
)
QUOTA_CODES = frozenset({"insufficient_quota", "arrearage", "billing_hard_limit_reached"})
# Envelope errors carry free text (often Chinese); these words mark a refusal or a busy server.
POLICY_WORDS = ("content policy", "safety system", "inappropriate content", "违规", "敏感")
BUSY_WORDS = ("rate limit", "too many", "busy", "overload", "try again", "throttl", "繁忙", "限流")


def error_details(body: object) -> tuple[str | None, str]:
    """(code, message) from any of the dialects' error shapes, or from plain text. The message is
    whole: `classify_error` redacts it, then cuts it."""
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):
            code = error.get("code") or error.get("type")
            return text_or_none(code), str(error.get("message") or "")
        if isinstance(error, str):
            return text_or_none(body.get("code")), error
        if "message" in body or "code" in body:
            return text_or_none(body.get("code")), str(body.get("message") or "")
        return None, json.dumps(body)
    return None, str(body or "").strip()


def text_or_none(value: object) -> str | None:
    """A provider's field as text; missing, null and "" all mean "not given"."""
    return None if value is None or value == "" else str(value)


def classify_error(
    *,
    status: int | None,
    code: str | None,
    message: str,
    api_key: str,
    retry_after: float | None = None,
    should_retry: bool | None = None,
) -> ProviderError:
    """The single place that decides what a failure means and how it reads."""
    message = redact(message.strip(), api_key, limit=MESSAGE_LIMIT)
    code_key = (code or "").lower()
    where = f"HTTP {status}" if status and status != 200 else job_text(texts.NO_STATUS)
    words = message or job_text(texts.NO_DETAILS)
    said = {"message": words, "where": where, "code": f" [{code}]" if code else ""}

    if code_key in POLICY_CODES or _mentions(message.lower(), POLICY_WORDS):
        template, permanent = texts.REFUSED_PROMPT, True
    elif code_key in QUOTA_CODES:
        template, permanent = texts.NO_CREDIT, True
    elif status == 429 or (status in (200, None) and _looks_busy(code_key, message)):
        template, permanent = texts.LIMITING, False
    elif status in (401, 403):
        template, permanent = texts.BAD_CREDENTIALS, True
    elif status is not None and (status in TRANSIENT_STATUSES or status >= 500):
        template, permanent = texts.TEMPORARY_PROBLEM, False
    elif status == 200:  # an error envelope inside a successful answer (task, dashscope)
        template, permanent = texts.REPORTED_ERROR, True
    else:
        template, permanent = texts.REJECTED_REQUEST, True
    text = job_text(template, **said)

    if should_retry is not None and code_key not in POLICY_CODES | QUOTA_CODES:
        permanent = not should_retry
    return ProviderError(
        text, permanent=permanent, status=status, code=code, retry_after=retry_after
    )


def _mentions(text: str, words: Sequence[str]) -> bool:
    return any(word in text for word in words)


def _looks_busy(code_key: str, message: str) -> bool:
    """Envelope errors carry no HTTP status; rate limits show in their code or words."""
    return (
        code_key == "429"
        or code_key.startswith("throttling")
        or _mentions(message.lower(), BUSY_WORDS)
    )
