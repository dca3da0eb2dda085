"""Destructive actions ask first, on the server too: one click never loses anything.

A form for a destructive action carries `data-confirm` (static/js/confirm.js asks in a <dialog>
and adds the `confirm` field). A POST without that field (no JavaScript, a script, an old tab)
gets a confirmation page naming what goes, which posts the same fields again with `confirm`.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

CONFIRM_FIELD = "confirm"
CONFIRM_VALUE = "yes"
# Fields the confirmation page must not copy: the token is rendered afresh, `confirm` is added.
_NOT_REPOSTED = frozenset({"csrfmiddlewaretoken", CONFIRM_FIELD})


def is_confirmed(request: HttpRequest) -> bool:
    """True when the person said yes (in the dialog or on the confirmation page)."""
    return request.POST.get(CONFIRM_FIELD) == CONFIRM_VALUE


def ask_to_confirm(
    request: HttpRequest, question: str, cancel_url: str, *, names: list[str] | None = None
) -> HttpResponse:
    """A page asking `question` whose Confirm posts the request's fields again, confirmed.

    `names` lists what goes (image prompts, say) under the question; Cancel goes to `cancel_url`.
    """
    fields = [
        (name, value)
        for name, values in request.POST.lists()
        if name not in _NOT_REPOSTED
        for value in values
    ]
    context = {
        "question": question,
        "names": names or [],
        "fields": fields,
        "action": request.get_full_path(),
        "cancel_url": cancel_url,
        "confirm_field": CONFIRM_FIELD,
        "confirm_value": CONFIRM_VALUE,
    }
    return render(request, "studio/confirm.html", context)
