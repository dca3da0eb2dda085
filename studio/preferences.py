"""A person's language, time zone and theme: kept in their profile, applied to every request.

Without a choice, LocaleMiddleware follows the browser's Accept-Language and times show in
settings.TIME_ZONE. A choice made with the header's switcher is kept in the session (for this
visit) and in the profile (for the next ones); logging in copies the profile's choice back into
the session, so it survives logging out, another browser and a cleared cookie. The theme (light
or dark, else the system's) travels the same way: profile, then session, then base.html.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

from studio.models import Profile, Theme

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

LANGUAGE_SESSION_KEY = "studio_language"
TIME_ZONE_SESSION_KEY = "studio_time_zone"
THEME_SESSION_KEY = "studio_theme"


def profile_for(user: User) -> Profile:
    profile, _created = Profile.objects.get_or_create(user=user)
    return profile


def is_supported_language(code: str) -> bool:
    return code in dict(settings.LANGUAGES)


@cache
def time_zone_names() -> list[str]:
    return sorted(zoneinfo.available_timezones())


def remember_language(request: HttpRequest, code: str, user: User | AnonymousUser | None) -> None:
    """Keep a chosen language for this session and, for a signed-in `user`, in their profile."""
    if not is_supported_language(code):
        return
    request.session[LANGUAGE_SESSION_KEY] = code
    if user is not None and user.is_authenticated:
        Profile.objects.update_or_create(user=user, defaults={"language": code})


def forget_language(request: HttpRequest, response: HttpResponse) -> None:
    """Back to following the browser: no language in the session, nor in the cookie."""
    request.session.pop(LANGUAGE_SESSION_KEY, None)
    response.delete_cookie(settings.LANGUAGE_COOKIE_NAME)


def remember_time_zone(request: HttpRequest, name: str) -> None:
    """Keep the person's zone in the session too, so pages need no query to find it."""
    if name:
        request.session[TIME_ZONE_SESSION_KEY] = name
    else:
        request.session.pop(TIME_ZONE_SESSION_KEY, None)


def remember_theme(request: HttpRequest, theme: str) -> None:
    """Keep the person's explicit theme in the session, so pages need no query to find it."""
    if theme in Theme.values and theme != Theme.SYSTEM:
        request.session[THEME_SESSION_KEY] = theme
    else:
        request.session.pop(THEME_SESSION_KEY, None)


def theme(request: HttpRequest) -> dict[str, str]:
    """Context processor: `theme` is "light" or "dark" when the person chose one, else empty
    (base.html then leaves the choice to the browser's prefers-color-scheme)."""
    chosen = getattr(request, "session", {}).get(THEME_SESSION_KEY, "")
    return {"theme": chosen if chosen in (Theme.LIGHT, Theme.DARK) else ""}


@receiver(user_logged_in, dispatch_uid="studio.restore_preferences_at_login")
def restore_preferences_at_login(
    sender: type[User], request: HttpRequest | None, user: User, **kwargs: Any
) -> None:
    # The session was just cycled by login(): put the person's own choices back in it.
    if request is None or not hasattr(request, "session"):
        return
    profile = Profile.objects.filter(user=user).first()
    chosen_before_login = request.session.get(LANGUAGE_SESSION_KEY)
    if (profile is None or not profile.language) and chosen_before_login:
        # Switched on the login page, before we knew who it was: that is their choice too.
        remember_language(request, chosen_before_login, user)
        return
    if profile is None:
        return
    if profile.language and is_supported_language(profile.language):
        request.session[LANGUAGE_SESSION_KEY] = profile.language  # pages after the login's redirect
    remember_time_zone(request, profile.time_zone)
    remember_theme(request, profile.theme)


class PreferencesMiddleware:
    """After authentication: the session's language (else the browser's) and the person's zone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", {})
        language = session.get(LANGUAGE_SESSION_KEY)
        if language and is_supported_language(language):
            translation.activate(language)
            request.LANGUAGE_CODE = language
        zone = _time_zone_of(request)
        if zone is not None:
            timezone.activate(zone)
        else:
            timezone.deactivate()
        return self.get_response(request)


def _time_zone_of(request: HttpRequest) -> zoneinfo.ZoneInfo | None:
    name = getattr(request, "session", {}).get(TIME_ZONE_SESSION_KEY)
    try:
        return zoneinfo.ZoneInfo(name) if name else None
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None  # a zone removed from the system's database: fall back to the default


# --- The studio page's dock -------------------------------------------------------------------
#
# Model, workspace, collection and the model's options as the person last submitted them: the
# dock opens so on their next visit, in any browser. The prompt is not kept (it is the work).


def remembered_dock(user: User) -> dict[str, Any]:
    """The dock's last settings, as a form's `initial` (empty for someone who never submitted)."""
    profile = Profile.objects.filter(user=user).only("dock_settings").first()
    settings_ = profile.dock_settings if profile else {}
    return dict(settings_) if isinstance(settings_, dict) else {}


def remember_dock(user: User, dock_settings: dict[str, Any]) -> None:
    Profile.objects.update_or_create(user=user, defaults={"dock_settings": dock_settings})
