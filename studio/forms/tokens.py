"""The "Create token" form: Name, Workspace, Models, Expires, Credits cap."""

from __future__ import annotations

from datetime import datetime, time
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jobs.models import ProviderModel
from studio.forms import field_of
from studio.forms.generate import PERSONAL, workspaces_for
from studio.models import Team
from studio.usable_models import enabled_models

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class ModelsField(forms.ModelMultipleChoiceField):
    """The Models checkboxes, each labelled "provider/model"."""

    def label_from_instance(self, obj: ProviderModel) -> str:
        return f"{obj.provider.name}/{obj.name}"


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    workspace = forms.ChoiceField(label=_("Workspace"), initial=PERSONAL)
    models = ModelsField(
        label=_("Models"),
        queryset=None,
        required=False,
        help_text=_("Leave empty to allow every model."),
        widget=forms.CheckboxSelectMultiple,
    )
    expires = forms.DateField(
        label=_("Expires"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Optional: the token stops working at the end of this day."),
    )
    credits_cap = forms.IntegerField(
        label=_("Credits cap"),
        min_value=1,
        required=False,
        help_text=_("Optional: the most credits this token may spend in all."),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        field_of(self, "workspace", forms.ChoiceField).choices = workspaces_for(user)
        field_of(self, "models", ModelsField).queryset = enabled_models()

    def clean_expires(self) -> datetime | None:
        day = self.cleaned_data.get("expires")
        if day is None:
            return None
        if day < timezone.localdate():
            raise forms.ValidationError(_("Choose a day from today on."))
        return datetime.combine(day, time.max, tzinfo=timezone.get_current_timezone())

    def token_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        slug = data["workspace"]
        return {
            "name": data["name"],
            "team": None if slug == PERSONAL else Team.objects.get(slug=slug),
            "models": list(data["models"]),
            "expires_at": data["expires"],
            "credits_cap": data["credits_cap"],
        }
