"""The GET form above My jobs: a status and a workspace (personal, or one of the person's teams)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jobs.models import JobStatus
from studio.models import Team
from studio.my_jobs import PERSONAL, JobFilters

ANY = ""


class MyJobsFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[(ANY, _("Any status")), *JobStatus.choices]
    )
    workspace = forms.ChoiceField(label=_("Workspace"), required=False)

    def __init__(self, data, *, teams, **kwargs) -> None:
        kwargs.setdefault("auto_id", "filter_%s")
        super().__init__(data, **kwargs)
        self.teams: dict[str, Team] = {team.slug: team for team in teams}
        self.fields["workspace"].choices = [
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
