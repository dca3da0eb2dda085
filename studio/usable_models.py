"""Which models a person may use here: the one answer that the Generate, Edit and Compare forms
(and so the dock), the API's model list and its `model` field, and every submit share.

A model is usable when an administrator has enabled it and its provider; in a team's workspace,
only when the team allows it (`Team.allowed_models`, none chosen meaning all); through an API
token, only when the token may use it (`ApiToken.all_models`, or the models chosen for it). The
person's own right to work in the team (their role) is `studio.submit.check_submit`'s to say.
"""

from __future__ import annotations

from django.db.models import QuerySet

from jobs.models import ProviderModel
from studio.models import ApiToken, Team


def enabled_models() -> QuerySet[ProviderModel]:
    """Every model an administrator has enabled, at a provider that is enabled too."""
    return ProviderModel.objects.filter(enabled=True, provider__enabled=True).select_related(
        "provider"
    )


def _usable(team: Team | None, token: ApiToken | None) -> QuerySet[ProviderModel]:
    models = enabled_models()
    if team is not None and team.allowed_models.exists():
        models = models.filter(pk__in=team.allowed_models.values("pk"))
    if token is not None and not token.all_models:
        models = models.filter(pk__in=token.allowed_models.values("pk"))
    return models


def usable_models(
    team: Team | None = None, *, token: ApiToken | None = None, operation: str | None = None
) -> list[ProviderModel]:
    """The models usable in `team`'s workspace (None: the personal one), through `token` when the
    request comes with one (its workspace is its team), that can do `operation` when one is named
    ("generate" or "edit")."""
    return [
        model
        for model in _usable(team, token)
        if operation is None or operation in model.capabilities().operations
    ]


def may_use(
    model: ProviderModel, team: Team | None = None, *, token: ApiToken | None = None
) -> bool:
    """Whether `model` is one of `usable_models(team, token=token)`."""
    return _usable(team, token).filter(pk=model.pk).exists()
