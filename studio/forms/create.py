"""The generate form. Which fields it has, and their choices, come from the model's capabilities."""

from __future__ import annotations

from django import forms

from jobs.capabilities import Capabilities, check_request, visible_fields
from jobs.models import ProviderModel
from jobs.services import JobSpec
from studio.models import Role, Team

PERSONAL = "personal"

# Form field name -> (label, the Capabilities attribute holding its choices).
CHOICE_FIELDS: dict[str, tuple[str, str]] = {
    "size": ("Size", "sizes"),
    "aspect_ratio": ("Aspect ratio", "aspect_ratios"),
    "resolution": ("Resolution", "resolutions"),
    "quality": ("Quality", "qualities"),
    "background": ("Background", "backgrounds"),
    "output_format": ("Output format", "output_formats"),
    "moderation": ("Moderation", "moderations"),
    "input_fidelity": ("Input fidelity", "input_fidelities"),
}


def models_for(operation: str) -> list[ProviderModel]:
    enabled = ProviderModel.objects.filter(enabled=True, provider__enabled=True).select_related(
        "provider"
    )
    return [model for model in enabled if operation in model.capabilities().operations]


def workspaces_for(user) -> list[tuple[str, str]]:
    """Where a person may put new images: their own history, or a team they may add to."""
    teams = Team.objects.filter(
        memberships__user=user, memberships__role__in=[Role.OWNER, Role.EDITOR]
    )
    return [(PERSONAL, "Personal")] + [(team.slug, team.name) for team in teams]


class CreateForm(forms.Form):
    operation = "generate"

    prompt = forms.CharField(label="Prompt", widget=forms.Textarea(attrs={"rows": 4}))
    model = forms.TypedChoiceField(label="Model", coerce=int)
    workspace = forms.ChoiceField(label="Workspace", initial=PERSONAL, required=False)

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.available_models = models_for(self.operation)
        self.fields["model"].choices = [(m.pk, m.display_name) for m in self.available_models]
        self.fields["workspace"].choices = workspaces_for(user)
        if len(self.fields["workspace"].choices) == 1:
            self.fields["workspace"].widget = forms.HiddenInput()
        self.chosen_model = self._chosen_model()
        self.capabilities: Capabilities | None = None
        if self.chosen_model:
            self.capabilities = self.chosen_model.capabilities()
            self._add_capability_fields(self.capabilities)

    def _chosen_model(self) -> ProviderModel | None:
        raw = self.data.get("model") or self.initial.get("model")
        by_id = {str(m.pk): m for m in self.available_models}
        if raw is not None and str(raw) in by_id:
            return by_id[str(raw)]
        return self.available_models[0] if self.available_models else None

    def _add_capability_fields(self, caps: Capabilities) -> None:
        self.fields["prompt"].max_length = caps.prompt_max
        self.fields["prompt"].widget.attrs["maxlength"] = caps.prompt_max
        for name in visible_fields(caps, self.operation):
            if name in CHOICE_FIELDS:
                label, attribute = CHOICE_FIELDS[name]
                # Empty first: nothing is sent unless the person picks a value.
                choices = [("", "Default")] + [(value, value) for value in getattr(caps, attribute)]
                self.fields[name] = forms.ChoiceField(label=label, choices=choices, required=False)
            elif name == "n":
                self.fields["n"] = forms.IntegerField(
                    label="Number of images",
                    min_value=caps.n_min,
                    max_value=caps.n_max,
                    initial=caps.n_min,
                    required=False,
                )
            elif name == "output_compression":
                self.fields[name] = forms.IntegerField(
                    label="Compression (%)", min_value=0, max_value=100, required=False
                )

    def clean_model(self) -> ProviderModel:
        if self.chosen_model is None:
            raise forms.ValidationError("No model is available; ask an administrator to add one.")
        return self.chosen_model

    def clean_workspace(self) -> Team | None:
        slug = self.cleaned_data["workspace"] or PERSONAL
        return None if slug == PERSONAL else Team.objects.get(slug=slug)

    def params(self) -> dict:
        """The request parameters that are set, as stored on the job."""
        data = self.cleaned_data
        excluded = {"prompt", "model", "workspace", "n", "image", "mask", "source"}
        return {
            name: data[name]
            for name in self.fields
            if name not in excluded and data.get(name) not in (None, "")
        }

    def job_spec(self, owner) -> JobSpec:
        """What the person asked for, for `jobs.services` (call after `is_valid()`)."""
        data = self.cleaned_data
        return JobSpec(
            owner=owner,
            model=data["model"],
            prompt=data["prompt"],
            kind=self.operation,
            n=data.get("n") or self.capabilities.n_min,
            params=self.params(),
            team=data["workspace"],
        )

    def input_counts(self) -> tuple[int, bool]:
        return 0, False

    def clean(self) -> dict:
        data = super().clean()
        if self.capabilities and "model" not in self.errors:
            params = {**self.params(), "prompt": data.get("prompt", ""), "n": data.get("n", 1)}
            images_count, has_mask = self.input_counts()
            problems = check_request(
                self.capabilities, self.operation, params, images_count, has_mask
            )
            for field, message in problems.items():
                self.add_error(field if field in self.fields else None, message)
        return data
