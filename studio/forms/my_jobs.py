"""The GET form above My jobs: a status and a workspace (personal, or one of the person's teams)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jobs.models import JobStatus
from studio.forms import field_of
from studio.models import Team
from studio.my_jobs import PERSONAL, JobFilters

if TYPE_CHECKING:
    from django.http import QueryDict

ANY = ""


class MyJobsFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[(ANY, _("Any status")), *JobStatus.choices]
    )
    workspace = forms.ChoiceField(label=_("Workspace"), required=False)

    def __init__(self, data: QueryDict, *, teams: Iterable[Team], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "filter_%s")
        super().__init__(data, **kwargs)
        self.teams: dict[str, Team] = {team.slug: team for team in teams}
        field_of(self, "workspace", forms.ChoiceField).choices = [
            (ANY, _("Any workspace")),
            (PERSONAL, _("Personal")),
            *[(slug, team.name) for slug, team in self.teams.items()],
        ]

    def filters(self) -> JobFilters:
        """The valid part of what was asked (an invalid field shows its error, unapplied)."""
        self.is_valid()
        data = self.cleaned_data
        workspace = data.get("workspace") or ANY
        return JobFilters(
            status=data.get("status") or ANY,
            personal_only=workspace == PERSONAL,
            team=self.teams.get(workspace),
        )
