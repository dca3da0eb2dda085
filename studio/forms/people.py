"""Forms a staff admin uses on the studio's pages: add a person, create a team with its owner."""

from __future__ import annotations

from typing import Any, Protocol

from django import forms
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from studio.people import PeopleError


class _TakesErrors(Protocol):
    def add_error(self, field: str | None, error: str) -> None: ...


class PeopleErrorsMixin:
    """Puts a refusal from studio.people next to the field it is about."""

    def add_refusal(self: _TakesErrors, refusal: PeopleError) -> None:
        self.add_error(refusal.field, str(refusal))


class PersonForm(PeopleErrorsMixin, forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_("Letters, digits and @ . + - _ only."),
    )
    email = forms.EmailField(label=_("Email (optional)"), required=False)


class TeamForm(PeopleErrorsMixin, forms.Form):
    name = forms.CharField(label=_("Team name"), max_length=100)
    slug = forms.SlugField(
        label=_("Address"),
        max_length=50,
        required=False,
        help_text=_("Used in the team's links; left empty, it is made from the name."),
    )
    owner = forms.CharField(
        label=_("First owner"),
        max_length=150,
        help_text=_("The username of the person who will manage the team's members."),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data  # what Form.clean returns
        if data.get("name") and not data.get("slug") and "slug" not in self.errors:
            data["slug"] = slugify(data["name"])
            if not data["slug"]:  # a name with no Latin letters or digits, e.g. in Chinese
                self.add_error(
                    "slug", _("Give the team an address of Latin letters, digits and hyphens.")
                )
        return data
