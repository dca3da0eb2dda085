"""The language switcher in the header, and the page where a person sets language and time zone."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from studio.forms.preferences import PreferencesForm
from studio.http import AuthenticatedHttpRequest
from studio.preferences import (
    forget_language,
    profile_for,
    remember_language,
    remember_theme,
    remember_time_zone,
)


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's set_language (cookie, redirect to `next`), and the choice kept in the profile."""
    response = django_set_language(request)
    remember_language(request, request.POST.get("language", ""), request.user)
    return response


@login_required
def preferences(request: AuthenticatedHttpRequest) -> HttpResponse:
    profile = profile_for(request.user)
    initial = {"language": profile.language, "time_zone": profile.time_zone, "theme": profile.theme}
    form = PreferencesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        profile.language = form.cleaned_data["language"]
        profile.time_zone = form.cleaned_data["time_zone"]
        profile.theme = form.cleaned_data["theme"]
        profile.save(update_fields=["language", "time_zone", "theme"])
        remember_time_zone(request, profile.time_zone)
        remember_theme(request, profile.theme)
        response = redirect("preferences")
        if profile.language:
            remember_language(request, profile.language, request.user)
            translation.activate(profile.language)
        else:
            forget_language(request, response)
        messages.success(request, _("Your preferences are saved."))
        return response
    return render(request, "studio/preferences.html", {"form": form})
