"""Forms of the library and history pages: the filters, and the bulk actions on selected images."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jobs.models import ImageOrigin, Provider, ProviderModel
from studio.access import personal_collections
from studio.forms import field_of
from studio.library import MAX_BULK_IMAGES, LibraryFilters
from studio.models import Collection, Role, Tag, Team

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.http import QueryDict


ANY = ""


class LibraryFilterForm(forms.Form):
    """The GET form above the grid. `team=None` means the person's history (no creator filter)."""

    q = forms.CharField(label=_("Search prompts"), required=False, max_length=200)
    creator = forms.TypedChoiceField(
        label=_("Creator"), required=False, coerce=int, empty_value=None
    )
    model = forms.ChoiceField(label=_("Model"), required=False)
    provider = forms.ChoiceField(label=_("Provider"), required=False)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    origin = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[
            (ANY, _("Any kind")),
            (ImageOrigin.GENERATED, _("Generated")),
            (ImageOrigin.EDITED, _("Edited")),
        ],
    )
    favourites = forms.BooleanField(label=_("Favourites only"), required=False)
    collection = forms.ChoiceField(label=_("In collection"), required=False)
    tag = forms.ChoiceField(label=_("Tagged"), required=False)

    def __init__(
        self,
        data: QueryDict | None,
        *,
        team: Team | None,
        teams: Iterable[Team],
        personal: Iterable[Collection] = (),
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("auto_id", "filter_%s")  # the bulk forms on the same page use id_…
        super().__init__(data, **kwargs)
        collections = Collection.objects.filter(team__in=teams).select_related("team")
        # History also narrows to the person's own collections (`personal`), listed first.
        self.collections = {str(c.pk): c for c in [*personal, *collections]}
        self.tags = {
            str(t.pk): t for t in Tag.objects.filter(team__in=teams).select_related("team")
        }
        model = field_of(self, "model", forms.ChoiceField)
        model.choices = [(ANY, _("Any model")), *_names(ProviderModel, "name")]
        provider = field_of(self, "provider", forms.ChoiceField)
        provider.choices = [(ANY, _("Any provider")), *_names(Provider, "name")]
        prefix = (lambda obj: "") if team else (lambda obj: f"{obj.team}: ")
        field_of(self, "collection", forms.ChoiceField).choices = [(ANY, _("Any collection"))] + [
            (key, c.name if team else c.label()) for key, c in self.collections.items()
        ]
        field_of(self, "tag", forms.ChoiceField).choices = [(ANY, _("Any tag"))] + [
            (key, f"{prefix(t)}{t.name}") for key, t in self.tags.items()
        ]
        if team is None:
            del self.fields["creator"]
        else:
            members = team.memberships.select_related("user").order_by("user__username")
            field_of(self, "creator", forms.ChoiceField).choices = [(ANY, _("Anyone"))] + [
                (m.user_id, m.user.get_username()) for m in members
            ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data  # what Form.clean returns
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", gettext("The end date is before the start date."))
        return data

    def active_count(self) -> int:
        """How many filters narrow the page (those with an error are not applied, not counted):
        the filter drawer's summary shows it while the drawer is folded on a phone."""
        self.is_valid()
        return sum(1 for value in self.cleaned_data.values() if value not in (None, "", False))

    def filters(self) -> LibraryFilters:
        """The valid part of what was asked (an invalid field shows its error, unapplied)."""
        self.is_valid()
        data = self.cleaned_data
        return LibraryFilters(
            search=data.get("q") or "",
            creator_id=data.get("creator"),
            model_name=data.get("model") or "",
            provider_name=data.get("provider") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            origin=data.get("origin") or "",
            favourites_only=bool(data.get("favourites")),
            collection=self.collections.get(data.get("collection") or ""),
            tag=self.tags.get(data.get("tag") or ""),
        )


def _names(model: type[Provider | ProviderModel], field: str) -> list[tuple[str, str]]:
    names = model.objects.order_by(field).values_list(field, flat=True).distinct()
    return [(name, name) for name in names]


def page_number(raw: str | None) -> int:
    try:
        return max(1, int(raw or 1))
    except ValueError:
        return 1


# --- Bulk actions -----------------------------------------------------------------------------


class SelectedImagesField(forms.Field):
    """The checked thumbnails: a list of image ids (checkboxes named "image")."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[uuid.UUID]:
        ids = []
        for raw in value or []:
            try:
                ids.append(uuid.UUID(str(raw)))
            except ValueError as error:
                raise forms.ValidationError(
                    gettext("The selection is not valid; reload the page.")
                ) from error
        return ids

    def validate(self, value: list[uuid.UUID]) -> None:
        if not value:
            raise forms.ValidationError(gettext("Select at least one image first."))
        if len(value) > MAX_BULK_IMAGES:
            raise forms.ValidationError(
                gettext("Select at most %(count)s images at once.") % {"count": MAX_BULK_IMAGES}
            )


class SelectionForm(forms.Form):
    # The bulk actions share one <form>: a `required` tag box would block "Download" in the browser.
    use_required_attribute = False

    image = SelectedImagesField(label=_("Selected images"))
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def redirect_to(self, fallback: str) -> str:
        """Back where the person was (only a path on this site), else `fallback`."""
        target = self.data.get("next") or ""
        if url_has_allowed_host_and_scheme(target, allowed_hosts=None) and target.startswith("/"):
            return target
        return fallback


class CollectForm(SelectionForm):
    """Add the selection to one of `collections` (a team's, or in history the person's own) or to
    a new one by name."""

    collection = forms.ChoiceField(label=_("Collection"), required=False)
    new_collection = forms.CharField(label=_("New collection"), required=False, max_length=100)

    def __init__(self, *args: Any, collections: Iterable[Collection], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.collections = {str(c.pk): c for c in collections}
        field_of(self, "collection", forms.ChoiceField).choices = [(ANY, _("Choose…"))] + [
            (key, c.name) for key, c in self.collections.items()
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data  # what Form.clean returns
        if not data.get("collection") and not (data.get("new_collection") or "").strip():
            self.add_error("collection", gettext("Choose a collection or name a new one."))
        return data


class TagForm(SelectionForm):
    tag_name = forms.CharField(label=_("Tag"), max_length=50)

    def clean_tag_name(self) -> str:
        name = self.cleaned_data["tag_name"].strip()
        if not name:
            raise forms.ValidationError(gettext("Type a tag."))
        return name


class ShareForm(SelectionForm):
    team = forms.ChoiceField(label=_("Share to team"))

    def __init__(self, *args: Any, teams: Iterable[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.teams = {team.slug: team for team in teams}
        team_field = field_of(self, "team", forms.ChoiceField)
        team_field.choices = [(slug, team.name) for slug, team in self.teams.items()]

    def clean_team(self) -> Team:
        return self.teams[self.cleaned_data["team"]]


class CollectionForm(forms.Form):
    """A new collection: the team's, or without a team (`team=None`) the `owner`'s own."""

    name = forms.CharField(label=_("Collection name"), max_length=100)

    def __init__(
        self, *args: Any, team: Team | None, owner: User | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.team = team
        self.owner = owner

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(gettext("Give the collection a name."))
        if self.team is None:
            assert self.owner is not None, "a personal collection is made for its owner"
            if personal_collections(self.owner).filter(name=name).exists():
                raise forms.ValidationError(
                    gettext("You already have a collection named “%(name)s”.") % {"name": name}
                )
        elif Collection.objects.filter(team=self.team, name=name).exists():
            raise forms.ValidationError(
                gettext("%(team)s already has a collection named “%(name)s”.")
                % {"team": self.team, "name": name}
            )
        return name


class MemberForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.EDITOR)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
