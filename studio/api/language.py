"""The language the API answers in."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header


def request_language(request: HttpRequest) -> str:
    """The language a client asks for in Accept-Language alone (`zh-CN` → zh-hans), else English.

    The pages also follow the language cookie and the session's (the person's profile) choice,
    which LocaleMiddleware and PreferencesMiddleware apply to every request. An API call is a
    program's: it says what it reads in its header, and a cookie a browser happens to send (or
    the token owner's page language) must not turn its errors into another language.
    """
    for code, _quality in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
        if code == "*":
            break
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE
