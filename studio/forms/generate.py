"""The generate form. Which fields it has, and their choices, come from the model's capabilities."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jobs.capabilities import Capabilities
from jobs.form_fields import visible_fields
from jobs.models import Job, ProviderModel
from jobs.parameters import COUNT_LABEL, PARAMETERS_BY_NAME, PRICED_PARAMETERS
from jobs.request_checks import check_request
from studio.access import ORGANISERS, personal_collections
from studio.forms import choices_of, field_of
from studio.models import Collection, Team
from studio.submit import BatchTooLarge, JobSpec, check_batch_size
from studio.usable_models import usable_models

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django_stubs_ext import StrOrPromise

PERSONAL = "personal"


def workspaces_for(user: User) -> list[tuple[str, StrOrPromise]]:
    """Where a person may put new images: their own history, or a team they may add to."""
    teams = Team.objects.filter(memberships__user=user, memberships__role__in=ORGANISERS)
    return [(PERSONAL, _("Personal"))] + [(team.slug, team.name) for team in teams]


def collections_for(user: User) -> list[Collection]:
    """Collections a person may put new images in: their own, and those of teams they may add to.

    Which of them fits the chosen workspace is `GenerateForm.clean`'s to say, next to the field.
    """
    team_ones = Collection.objects.filter(
        team__memberships__user=user, team__memberships__role__in=ORGANISERS
    ).select_related("team")
    return list(personal_collections(user)) + list(team_ones)


def batch_prompts(text: str) -> list[str]:
    """A batch's prompts: one per non-empty line."""
    return [line.strip() for line in text.splitlines() if line.strip()]


class ModelField(forms.TypedChoiceField):
    """The Model select. Whether the chosen model may be used is decided by `clean_model`, which
    can say why (e.g. not in this team's workspace) instead of "Select a valid choice"."""

    def validate(self, value: Any) -> None:
        forms.Field.validate(self, value)


class ChosenWorkspace(forms.Form):
    """The team a form's "workspace" field names, read before the form is cleaned (its model
    list and budget depend on it): the Generate and Compare forms share it."""

    def _raw(self, name: str) -> object:
        """What the person sent for a field, or its initial value on an unbound form."""
        return self.data.get(name) if self.is_bound else self.initial.get(name)

    def _chosen_team(self) -> Team | None:
        slug = self._raw("workspace")
        allowed = {key for key, _ in choices_of(self, "workspace")}
        if not slug or slug == PERSONAL or slug not in allowed:
            return None
        return Team.objects.filter(slug=slug).first()


class GenerateForm(ChosenWorkspace):
    operation = "generate"
    # Fields every model has, laid out by the page; the rest come and go with the chosen model.
    common_fields = (
        "prompt",
        "model",
        "workspace",
        "collection",
        "batch",
        "image",
        "mask",
        "source",
    )

    prompt = forms.CharField(label=_("Prompt"), widget=forms.Textarea(attrs={"rows": 4}))
    model = ModelField(label=_("Model"), coerce=int)
    workspace = forms.ChoiceField(label=_("Workspace"), initial=PERSONAL, required=False)
    collection = forms.ChoiceField(
        label=_("Collection"),
        required=False,
        help_text=_(
            "Optional: the results also land in this collection (one of yours in the Personal "
            "workspace, or one of the workspace's team)."
        ),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        field_of(self, "workspace", forms.ChoiceField).choices = workspaces_for(user)
        if len(choices_of(self, "workspace")) == 1:
            self.fields["workspace"].widget = forms.HiddenInput()
        self.collections = {str(c.pk): c for c in collections_for(user)}
        if self.collections:
            field_of(self, "collection", forms.ChoiceField).choices = [("", _("None"))] + [
                (key, c.label()) for key, c in self.collections.items()
            ]
        else:
            del self.fields["collection"]
        if self.operation == "generate":
            self.fields["batch"] = forms.BooleanField(
                label=_("Batch (one job per line)"),
                required=False,
                help_text=_("Each line above is submitted on its own, with the same settings."),
            )
        self.workspace_team = self._chosen_team()
        self.available_models = usable_models(self.workspace_team, operation=self.operation)
        field_of(self, "model", forms.ChoiceField).choices = [
            (m.pk, m.display_name) for m in self.available_models
        ]
        self.model_refused = False
        self.chosen_model = self._chosen_model()
        self.capabilities: Capabilities | None = None
        if self.chosen_model:
            self.capabilities = self.chosen_model.capabilities()
            self._add_capability_fields(self.capabilities)

    def _chosen_model(self) -> ProviderModel | None:
        raw = self._raw("model")
        by_id = {str(m.pk): m for m in self.available_models}
        if raw not in (None, "") and str(raw) in by_id:
            return by_id[str(raw)]
        if self.is_bound and raw not in (None, ""):
            # A model this workspace does not offer is refused, never swapped for another.
            self.model_refused = True
            return None
        return self.available_models[0] if self.available_models else None

    def _add_capability_fields(self, caps: Capabilities) -> None:
        field_of(self, "prompt", forms.CharField).max_length = caps.prompt_max
        self.fields["prompt"].widget.attrs["maxlength"] = caps.prompt_max
        for name in visible_fields(caps, self.operation):
            if name == "n":
                self.fields["n"] = forms.IntegerField(
                    label=_(COUNT_LABEL),
                    min_value=caps.n_min,
                    max_value=caps.n_max,
                    initial=caps.n_min,
                    required=False,
                )
            elif name in PARAMETERS_BY_NAME:
                self.fields[name] = _parameter_field(name, caps)

    def clean_model(self) -> ProviderModel | None:  # None: a comparison's slot left empty
        if self.model_refused:
            raise forms.ValidationError(_("This model is not available in the chosen workspace."))
        if self.chosen_model is None:
            raise forms.ValidationError(
                _("No model is available; ask an administrator to add one.")
            )
        return self.chosen_model

    def clean_collection(self) -> Collection | None:
        key = self.cleaned_data.get("collection") or ""
        return self.collections.get(key)

    def clean_workspace(self) -> Team | None:
        slug = self.cleaned_data["workspace"] or PERSONAL
        return None if slug == PERSONAL else Team.objects.get(slug=slug)

    def params(self) -> dict[str, Any]:
        """The request parameters that are set, as stored on the job: the registry's fields."""
        data = self.cleaned_data
        return {
            name: data[name]
            for name in self.fields
            if name in PARAMETERS_BY_NAME and data.get(name) not in (None, "")
        }

    def job_spec(self, owner: User) -> JobSpec:
        """What the person asked for, for `studio.submit` (call after `is_valid()`)."""
        assert self.capabilities is not None, "a valid form has a model"
        data = self.cleaned_data
        return JobSpec(
            owner=owner,
            model=data["model"],
            prompt=data["prompt"],
            kind=self.operation,
            n=data.get("n") or self.capabilities.n_min,
            params=self.params(),
            team=data["workspace"],
            collection=data.get("collection"),
        )

    def dock_settings(self) -> dict[str, Any]:
        """What the studio page's dock remembers of this request (call after `is_valid()`)."""
        assert self.capabilities is not None, "a valid form has a model"
        data = self.cleaned_data
        team, collection = data.get("workspace"), data.get("collection")
        return {
            "model": data["model"].pk,
            "workspace": team.slug if team else PERSONAL,
            "collection": str(collection.pk) if collection else "",
            "n": data.get("n") or self.capabilities.n_min,
            **self.params(),
        }

    def requested_n(self) -> int | None:
        """The number of images asked for as the form stands, unbounded (None: not a number)."""
        raw = self._raw("n")
        try:
            return int(str(raw)) if raw not in (None, "") else None
        except ValueError:
            return None

    def input_counts(self) -> tuple[int, bool]:
        return 0, False

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data  # what Form.clean returns
        if self.capabilities and "model" not in self.errors:
            # A batch's limit applies to each of its prompts, so the longest one is checked.
            prompt = max(self.prompts(), key=len, default="")
            params = {**self.params(), "prompt": prompt, "n": data.get("n", 1)}
            images_count, has_mask = self.input_counts()
            problems = check_request(
                self.capabilities, self.operation, params, images_count, has_mask
            )
            for field, message in problems.items():
                self.add_error(field if field in self.fields else None, message)
        self._check_collection_fits_workspace(data.get("collection"), data.get("workspace"))
        self._check_batch_size()
        return data

    def _check_batch_size(self) -> None:
        # Said next to Prompt before anything is made; submit_batch checks the same again.
        count = len(self.prompts())
        if "batch" not in self.fields or count < 2:
            return
        try:
            check_batch_size(self.user, count)
        except BatchTooLarge as refusal:
            self.add_error("prompt", str(refusal))

    def _check_collection_fits_workspace(
        self, collection: Collection | None, workspace: Team | None
    ) -> None:
        # Said next to Collection: the person chose both fields and may change either.
        if collection is None:
            return
        if collection.is_personal and workspace is not None:
            self.add_error(
                "collection",
                _(
                    "“%(collection)s” is a personal collection: choose the Personal workspace, "
                    "or no collection."
                )
                % {"collection": collection.name},
            )
        elif not collection.is_personal and collection.team != workspace:
            self.add_error(
                "collection",
                _(
                    "“%(collection)s” belongs to the team %(team)s: choose that workspace, "
                    "or no collection."
                )
                % {"collection": collection.name, "team": collection.team},
            )

    # --- the estimate next to the submit button ----------------------------------------------

    def estimate_credits(self) -> int | None:
        """The credits this request would cost as the form stands now (also half-filled), by the
        same calculation the submit reserves; None when there is no model to price."""
        if self.chosen_model is None or self.capabilities is None:
            return None
        caps = self.capabilities
        try:
            n = int(str(self._raw("n") or caps.n_min))
        except ValueError:
            n = caps.n_min
        n = min(max(n, caps.n_min), caps.n_max)
        params = {}
        for name in PRICED_PARAMETERS:
            value = self._raw(name)
            if value and value in getattr(caps, PARAMETERS_BY_NAME[name].choices_from):
                params[name] = value
        return self.chosen_model.estimate_credits(n, params) * self.prompt_count()

    def prompts(self) -> list[str]:
        """The prompt, or a batch's prompts (one per line) when the person asked for a batch."""
        text = str(self._raw("prompt") or "")
        if self._raw("batch") not in (None, "", False, "false", "off"):
            return batch_prompts(text)
        return [text.strip()] if text.strip() else []

    def prompt_count(self) -> int:
        """How many jobs the submit makes, for the estimate (at least one)."""
        return max(len(self.prompts()), 1)


def _parameter_field(name: str, caps: Capabilities) -> forms.Field:
    """The form field of one registry parameter, bounded by this model's capabilities."""
    parameter = PARAMETERS_BY_NAME[name]
    if parameter.kind == "choice":
        # Empty first: nothing is sent unless the person picks a value.
        values = getattr(caps, parameter.choices_from)
        choices = [("", _("Default"))] + [(value, value) for value in values]
        return forms.ChoiceField(label=_(parameter.label), choices=choices, required=False)
    if name == "partial_images":
        return forms.IntegerField(
            label=_(parameter.label),
            min_value=0,
            max_value=caps.partial_images_max,
            required=False,
            help_text=_(
                "Watch the picture form: rough versions shown as they arrive, "
                "free of charge and not kept."
            ),
        )
    return forms.IntegerField(label=_(parameter.label), min_value=0, max_value=100, required=False)


def initial_from_job(job: Job) -> dict[str, Any]:
    """The form's initial values that repeat a job: "Use these settings"."""
    initial = {
        "prompt": job.prompt,
        "model": job.model_id,
        "workspace": job.team.slug if job.team else PERSONAL,
        "n": job.n,
        **job.params,
    }
    if job.collection_id:
        initial["collection"] = str(job.collection_id)
    return initial
