"""The engine's sentences in the reader's language: Django's gettext over `jobs/sentences.py`.

Pages and the API read a job's error, note and wait here (the active language: the person's,
or the API caller's). Logs use `str()` of a sentence, which is English. What the provider said
is never translated.
"""

from __future__ import annotations

from django.utils.translation import gettext

from jobs.sentences import JobText, JobTextParts, render, split


def localize(text: JobText | None) -> str:
    """`text` whole, in the active language; "" for no text."""
    return render(text, gettext) if text is not None else ""


def localize_parts(text: JobText | None) -> JobTextParts:
    """`text` in the active language with the provider's own words apart (`.details`)."""
    return split(text, gettext) if text is not None else JobTextParts("")
