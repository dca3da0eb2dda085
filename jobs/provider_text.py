"""Everything a provider says is cleaned here before it is stored, because stored text is shown.

A provider's failure reason, a per-image error, a note or a usage block reaches the job page and
the image page, which team viewers see too. A provider that echoes our key (some relays put the
request's headers into their errors) must not hand it to them: the key, and anything that looks
like a bearer token or an API key, is redacted, and usage keeps only known counters.
"""

from __future__ import annotations

import re

from django.core.exceptions import ImproperlyConfigured

REDACTED = "[redacted]"
MAX_TEXT = 2000

# Shapes of secrets worth hiding even when they are not our key: `Bearer …`, `sk-…` keys, and
# `api_key=…` / `"authorization": "…"` pairs.
_BEARER = re.compile(r"(?i)\bbearer\s+[^\s\"',;]+")
# Key-like: a known prefix, then a run with a digit in it (so "key-lime-pie" in a prompt stays).
_KEY_LIKE = re.compile(r"\b(?:sk|pk|rk|key|tok)-(?=[A-Za-z_\-]*\d)[A-Za-z0-9_\-]{8,}")
_KEY_PAIR = re.compile(
    r"(?i)(\b(?:api[_-]?key|access[_-]?token|secret|authorization|x-api-key|password)"
    r"[\"']?\s*[:=]\s*)(?:\"[^\"]*\"|'[^']*'|[^\s\"',;}]+)"
)

# Usage counters the dialects report (OpenAI tokens, the grok relay, task relays, DashScope).
USAGE_NUMBERS = frozenset(
    {
        "input_tokens",
        "output_tokens",
        "total_tokens",
        "images",
        "image_count",
        "generated_images",
        "seconds",
        "cost_in_usd_ticks",
    }
)
USAGE_DETAILS = frozenset({"input_tokens_details", "output_tokens_details"})
DETAIL_NUMBERS = frozenset({"text_tokens", "image_tokens", "cached_tokens", "reasoning_tokens"})


def clean_provider_text(text: object, *, api_key: str = "") -> str:
    """`text` as safe to store and show: our key and key-like strings redacted, length bounded."""
    cleaned = str(text or "")
    if api_key and len(api_key) >= 4:
        cleaned = _redact_key(cleaned, api_key)
    cleaned = _BEARER.sub(f"Bearer {REDACTED}", cleaned)
    cleaned = _KEY_LIKE.sub(REDACTED, cleaned)
    cleaned = _KEY_PAIR.sub(lambda match: match.group(1) + REDACTED, cleaned)
    if len(cleaned) > MAX_TEXT:
        cleaned = cleaned[: MAX_TEXT - 1] + "…"
    return cleaned


def _redact_key(text: str, api_key: str) -> str:
    """The key redacted, also when the text was cut off in the middle of it."""
    text = text.replace(api_key, REDACTED)
    for length in range(len(api_key) - 1, 5, -1):
        if text.endswith(api_key[:length]):
            return text[:-length] + REDACTED
    return text


def clean_usage(usage: object) -> dict:
    """Only the usage counters we know, with numeric values; anything else is dropped."""
    if not isinstance(usage, dict):
        return {}
    kept: dict = {}
    for name, value in usage.items():
        if name in USAGE_NUMBERS and _is_number(value):
            kept[name] = value
        elif name in USAGE_DETAILS and isinstance(value, dict):
            details = {
                key: number
                for key, number in value.items()
                if key in DETAIL_NUMBERS and _is_number(number)
            }
            if details:
                kept[name] = details
    return kept


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


# Job fields the pipeline writes that may carry a provider's words.
PROVIDER_TEXT_FIELDS = ("error_message", "note", "remote_status")


def clean_job_fields(fields: dict, *, api_key: str) -> dict:
    """The fields of a job update with provider text and usage cleaned (others untouched)."""
    cleaned = dict(fields)
    for name in PROVIDER_TEXT_FIELDS:
        if name in cleaned:
            cleaned[name] = clean_provider_text(cleaned[name], api_key=api_key)
    if "usage" in cleaned:
        cleaned["usage"] = clean_usage(cleaned["usage"])
    return cleaned


def provider_key_of(job) -> str:
    """The key of the job's provider, to redact; "" when there is none or it cannot be read."""
    try:
        return job.model.provider.api_key() if job.model_id else ""
    except ImproperlyConfigured:
        return ""
