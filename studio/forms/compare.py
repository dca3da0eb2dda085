"""The compare form: one prompt, up to four models, each with its own options.

Each model slot is the generate form's model part (`CompareSlotForm`, prefixed "m1-"…"m4-"), so a
model's fields, their bounds and their checks are the generate form's own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jobs.models import ProviderModel
from studio.forms import choices_of, field_of
from studio.forms.generate import PERSONAL, ChosenWorkspace, GenerateForm, workspaces_for
from studio.models import Team
from studio.submit import (
    COMPARE_MAX_MODELS,
    COMPARE_MIN_MODELS,
    ComparisonRefused,
    JobSpec,
    check_comparison_models,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.http import QueryDict

SLOTS = range(1, COMPARE_MAX_MODELS + 1)
# Fields of the generate form that the comparison holds once, for every model. (Each slot keeps
# a "prompt" field that is never shown: what the model says of the shared prompt lands there.)
SHARED_FIELDS = ("workspace", "collection", "batch")


class CompareSlotForm(GenerateForm):
    """Model N and that model's options; the prompt and the workspace come from the comparison.

    The first two slots start on two different models; the others start empty ("None"), and an
    empty slot is left out of the comparison.
    """

    def __init__(
        self, *args: Any, slot: int, prompt: str, team: Team | None, **kwargs: Any
    ) -> None:
        self.slot = slot
        self.shared_prompt = prompt
        self.shared_team = team
        super().__init__(*args, prefix=f"m{slot}", **kwargs)
        for name in SHARED_FIELDS:
            self.fields.pop(name, None)
        self.fields["model"].label = _("Model %(number)s") % {"number": slot}
        self.fields["model"].required = False
        field_of(self, "model", forms.ChoiceField).choices = [
            ("", _("None")),
            *choices_of(self, "model"),
        ]
        self.fields["prompt"].required = False

    def _raw(self, name: str) -> object:
        if name == "prompt":
            return self.shared_prompt
        return self.data.get(self.add_prefix(name)) if self.is_bound else self.initial.get(name)

    def _chosen_team(self) -> Team | None:
        return self.shared_team

    def _chosen_model(self) -> ProviderModel | None:
        raw = self._raw("model")
        offered = {str(model.pk) for model in self.available_models}
        if raw not in (None, "") and (self.is_bound or str(raw) in offered):
            return super()._chosen_model()  # which refuses a model the workspace does not offer
        if self.is_bound:
            return None  # left empty on purpose
        # A fresh slot (or one whose model the new workspace lacks): the first slots start on
        # different models, the others empty.
        start = self.slot - 1
        if self.slot > COMPARE_MIN_MODELS or start >= len(self.available_models):
            return None
        return self.available_models[start]

    def clean_prompt(self) -> str:
        return self.shared_prompt

    def clean_model(self) -> ProviderModel | None:
        if self.chosen_model is None and not self.model_refused:
            return None
        return super().clean_model()

    def prompts(self) -> list[str]:
        return [self.shared_prompt.strip()] if self.shared_prompt.strip() else []

    def job_spec(self, owner: User) -> JobSpec:
        """This model's job of the comparison (call after `is_valid()`)."""
        assert self.capabilities is not None, "only a slot with a model makes a job"
        return JobSpec(
            owner=owner,
            model=self.cleaned_data["model"],
            prompt=self.shared_prompt.strip(),
            n=self.cleaned_data.get("n") or self.capabilities.n_min,
            params=self.params(),
            team=self.shared_team,
        )


class CompareForm(ChosenWorkspace):
    """The prompt and the workspace, shared; the models and their options live in `slots`."""

    operation = "compare"

    prompt = forms.CharField(label=_("Prompt"), widget=forms.Textarea(attrs={"rows": 3}))
    workspace = forms.ChoiceField(label=_("Workspace"), initial=PERSONAL, required=False)

    def __init__(
        self, data: QueryDict | None = None, *, user: User, initial: dict[str, Any] | None = None
    ) -> None:
        super().__init__(data, initial=initial)
        self.user = user
        field_of(self, "workspace", forms.ChoiceField).choices = workspaces_for(user)
        if len(choices_of(self, "workspace")) == 1:
            self.fields["workspace"].widget = forms.HiddenInput()
        self.workspace_team = team = self._chosen_team()
        prompt = str(self._raw("prompt") or "")
        self.slots = [
            CompareSlotForm(
                data,
                slot=slot,
                prompt=prompt,
                team=team,
                user=user,
                initial=_slot_initial(initial or {}, slot),
            )
            for slot in SLOTS
        ]

    @property
    def chosen_slots(self) -> list[CompareSlotForm]:
        return [slot for slot in self.slots if slot.chosen_model is not None]

    def is_valid(self) -> bool:
        # Every slot is checked, so each shows its own errors next to its own fields.
        slots_valid = [slot.is_valid() for slot in self.slots]
        return super().is_valid() and all(slots_valid)

    def clean_workspace(self) -> Team | None:
        slug = self.cleaned_data["workspace"] or PERSONAL
        return None if slug == PERSONAL else Team.objects.get(slug=slug)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data  # what Form.clean returns
        try:
            check_comparison_models(
                [slot.chosen_model for slot in self.chosen_slots if slot.chosen_model is not None]
            )
        except ComparisonRefused as refusal:
            self.add_error(None, str(refusal))
        return data

    def job_specs(self, owner: User) -> list[JobSpec]:
        """One spec per chosen model, for `submit_comparison` (call after `is_valid()`)."""
        return [slot.job_spec(owner) for slot in self.chosen_slots]

    def estimate_credits(self) -> int | None:
        """The whole comparison's cost as the form stands, each model priced as on Generate."""
        estimates = [slot.estimate_credits() for slot in self.chosen_slots]
        return sum(e for e in estimates if e is not None) if estimates else None


def _slot_initial(initial: dict[str, Any], slot: int) -> dict[str, Any]:
    """A slot's own values out of the whole form's ("m2-size" → "size" for slot 2)."""
    prefix = f"m{slot}-"
    return {key.removeprefix(prefix): v for key, v in initial.items() if key.startswith(prefix)}
