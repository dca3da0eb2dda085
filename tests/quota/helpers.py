"""Plain helpers for the quota tests. `submit` is the one place to switch to studio.submit."""

from __future__ import annotations

from django.db import transaction

from jobs.models import Job, QuotaLimit
from jobs.quota import reserve_quota
from studio.models import Team
from tests.fixtures import factories


def make_job(
    owner,
    *,
    n: int = 1,
    credits: int = 0,
    team: Team | None = None,
    model_name: str = "grok-3-image",
) -> Job:
    """A queued job that asks for `n` images costing `credits` (the shared factory underneath)."""
    return factories.make_job(
        owner,
        team=team,
        model_name=model_name,
        prompt="a lighthouse at dusk",
        n=n,
        credits_reserved=credits,
    )


def submit(owner, **job_fields) -> Job:
    """What the studio does at submit: create the job and reserve its cost, all or nothing.

    Takes the keyword arguments of `make_job`.
    """
    with transaction.atomic():
        job = make_job(owner, **job_fields)
        reserve_quota(job=job)
    return job


def set_limits(
    *, user=None, team=None, scope: str | None = None, **limits: int | None
) -> QuotaLimit:
    scope = scope or (QuotaLimit.Scope.TEAM if team else QuotaLimit.Scope.USER)
    return QuotaLimit.objects.create(scope=scope, user=user, team=team, **limits)
