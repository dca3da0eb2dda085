"""The person's preferences: the language pages speak, the time zone times show in and the
colour scheme (theme) pages wear."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from studio.forms import field_of
from studio.models import Theme
from studio.preferences import time_zone_names


class PreferencesForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), required=False)
    time_zone = forms.ChoiceField(label=_("Time zone"), required=False)
    theme = forms.ChoiceField(
        label=_("Theme"),
        choices=Theme.choices,
        required=False,
        help_text=_("System follows the light or dark setting of your device."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        language = field_of(self, "language", forms.ChoiceField)
        language.choices = [("", _("As the browser asks")), *settings.LANGUAGES]
        default_zone = _("The studio's default (%(zone)s)") % {"zone": settings.TIME_ZONE}
        field_of(self, "time_zone", forms.ChoiceField).choices = [("", default_zone)] + [
            (name, name) for name in time_zone_names()
        ]
