"""Everything a provider says is cleaned here before it is stored, because stored text is shown.

A provider's failure reason, a per-image error, a note or a usage block reaches the job page and
the image page, which team viewers see too. A provider that echoes our key (some relays put the
request's headers into their errors) must not hand it to them: the key, and anything that looks
like a bearer token or an API key, is redacted (by `jobs.providers.redaction`, before any cut),
and usage keeps only known counters.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from jobs.providers.redaction import redact

MAX_TEXT = 2000

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


def clean_provider_text(text: object, *, api_key: str = "", limit: int = MAX_TEXT) -> str:
    """`text` as safe to store and show: redacted first (`jobs.providers.redaction`), then cut."""
    return redact(text, api_key, limit=limit)


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


# Job fields the pipeline writes that may carry a provider's words, and the length each keeps.
PROVIDER_TEXT_FIELDS = {"error_message": MAX_TEXT, "note": MAX_TEXT, "remote_status": 50}
# A sentence's values and the provider's words kept apart (jobs/stored_texts.py): every text in
# them is cleaned too, each to MAX_TEXT.
SENTENCE_FIELDS = ("error_params", "error_details", "note_params", "note_details")


def clean_job_fields(fields: dict, *, api_key: str) -> dict:
    """The fields of a job update with provider text and usage cleaned (others untouched)."""
    cleaned = dict(fields)
    for name, limit in PROVIDER_TEXT_FIELDS.items():
        if name in cleaned:
            cleaned[name] = clean_provider_text(cleaned[name], api_key=api_key, limit=limit)
    for name in SENTENCE_FIELDS:
        if name in cleaned:
            cleaned[name] = _clean_json_texts(cleaned[name], api_key)
    if "usage" in cleaned:
        cleaned["usage"] = clean_usage(cleaned["usage"])
    return cleaned


def _clean_json_texts(value: object, api_key: str) -> object:
    """`value` (JSON) with every text in it cleaned; keys and numbers are ours and kept."""
    if isinstance(value, str):
        return clean_provider_text(value, api_key=api_key)
    if isinstance(value, dict):
        return {key: _clean_json_texts(item, api_key) for key, item in value.items()}
    if isinstance(value, list):
        return [_clean_json_texts(item, api_key) for item in value]
    return value


def provider_key_of(job) -> str:
    """The key of the job's provider, to redact; "" when there is none or it cannot be read."""
    try:
        return job.model.provider.api_key() if job.model_id else ""
    except ImproperlyConfigured:
        return ""
