"""Template filters for text the engine stored in English (see jobs/messages.py)."""

from __future__ import annotations

from django import template

from jobs.messages import localize_job_text

register = template.Library()


@register.filter
def job_text(text: str) -> str:
    """A job's stored error or note in the reader's language; the provider's words unchanged."""
    return localize_job_text(text)
