"""Template filters for a job's sentences (its error, note and wait; see jobs/messages.py)."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

from jobs.localized import localize, localize_parts
from jobs.messages import JobText, JobTextParts

register = template.Library()


@register.filter
def job_text(text: JobText | None) -> str:
    """A job's sentence (`job.note_text`, …) in the reader's language; the provider's words
    unchanged."""
    return localize(text)


@register.filter
def job_text_parts(text: JobText | None) -> JobTextParts:
    """A job's sentence split: `.sentence` for a person, `.details` (the provider's words)."""
    return localize_parts(text)


# What each usage counter a provider reports is called on a page (jobs/provider_text.py keeps
# only these counters); a name we have no label for is shown as it is.
USAGE_LABELS = {
    "input_tokens": _("Input tokens"),
    "output_tokens": _("Output tokens"),
    "total_tokens": _("Total tokens"),
    "images": _("Images"),
    "image_count": _("Images"),
    "generated_images": _("Generated images"),
    "seconds": _("Seconds"),
    "cost_in_usd_ticks": _("Cost (USD ticks)"),
    "text_tokens": _("text tokens"),
    "image_tokens": _("image tokens"),
    "cached_tokens": _("cached tokens"),
    "reasoning_tokens": _("reasoning tokens"),
}
USAGE_GROUPS = {
    "input_tokens_details": _("Input tokens: %(kind)s"),
    "output_tokens_details": _("Output tokens: %(kind)s"),
}


@register.filter
def usage_rows(usage: object) -> list[tuple[str, object]]:
    """A job's usage (a dict, one level of detail deep) as (label, number) rows for a table."""
    if not isinstance(usage, dict):
        return []
    rows: list[tuple[str, object]] = []
    for name, value in usage.items():
        if isinstance(value, dict):
            group = USAGE_GROUPS.get(name, name + ": %(kind)s")
            rows += [
                (str(group) % {"kind": USAGE_LABELS.get(kind, kind)}, number)
                for kind, number in value.items()
            ]
        else:
            rows.append((str(USAGE_LABELS.get(name, name)), value))
    return rows
