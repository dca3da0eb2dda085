"""Claims: how one hop, and only one, gets to work on a job, and how it proves it on every write.

A claim is a conditional UPDATE on the job's row (by id, by the state the hop expects, and only
once the job is due) that only one process can win. The winner holds a lease token (`Hold`);
every later write of the hop names it (`update_held`), so a hop that lost its job changes nothing.
Times come from the database's clock (`db_time`), never from a worker's.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import DateTimeField, ExpressionWrapper, F, Q
from django.db.models.functions import Coalesce, Now

from jobs.events import publish_job_event
from jobs.models import Job, JobStatus
from jobs.provider_text import clean_job_fields, provider_key_of
from jobs.stored_texts import waiting_fields

# A scheduled hop may fire a little before its due time (timer rounding); it still counts as due.
EARLY_TOLERANCE_SECONDS = 0.25
UNSEEN_FIELDS = frozenset({"sent_at", "poll_not_found"})  # changes no page shows


def db_time(seconds: float = 0.0) -> ExpressionWrapper:
    """The database's clock, `seconds` from now: every lease and due time is measured on it."""
    return ExpressionWrapper(Now() + timedelta(seconds=seconds), output_field=DateTimeField())


def _lease() -> ExpressionWrapper:
    return db_time(settings.STUDIO_LEASE_SECONDS)


@dataclass(frozen=True)
class Hold:
    """A claimed job and the token that proves the claim."""

    job: Job
    token: uuid.UUID

    def owned(self) -> Q:
        return Q(pk=self.job.pk, status=JobStatus.RUNNING, lease_owner=self.token)


def claimable_for_submit() -> Q:
    """A due queued job, or a running one whose hop died before its request left."""
    return Q(status=JobStatus.QUEUED, due_at__lte=db_time(EARLY_TOLERANCE_SECONDS)) | Q(
        status=JobStatus.RUNNING, remote_task_id="", sent_at__isnull=True, lease_until__lt=Now()
    )


def abandoned_after_sending() -> Q:
    """A running job whose hop died after its request left, before an answer was kept."""
    return Q(
        status=JobStatus.RUNNING, remote_task_id="", sent_at__isnull=False, lease_until__lt=Now()
    )


def claim_for_submit(job_id: str | uuid.UUID) -> Hold | None:
    token = uuid.uuid4()
    won = Job.objects.filter(claimable_for_submit(), pk=job_id).update(
        status=JobStatus.RUNNING,
        attempts=F("attempts") + 1,
        lease_until=_lease(),
        lease_owner=token,
        started_at=Coalesce(F("started_at"), Now()),
        **waiting_fields(None),
    )
    if not won:
        return None
    hold = _hold(job_id, token)
    publish_job_event(job_id, JobStatus.RUNNING, hold.job.owner_id)  # pages learn by push
    return hold


def claim_for_poll(job_id: str | uuid.UUID) -> Hold | None:
    token = uuid.uuid4()
    won = (
        Job.objects.filter(
            pk=job_id, status=JobStatus.RUNNING, due_at__lte=db_time(EARLY_TOLERANCE_SECONDS)
        )
        .exclude(remote_task_id="")
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=Now()))
        .update(lease_until=_lease(), lease_owner=token)
    )
    return _hold(job_id, token) if won else None


def _hold(job_id: str | uuid.UUID, token: uuid.UUID) -> Hold:
    return Hold(Job.objects.select_related("model__provider", "owner").get(pk=job_id), token)


def update_held(hold: Hold, **fields: Any) -> bool:
    """Write `fields` only while the hop still holds the job; False when it lost it.

    Every write of provider text or usage passes here, so here it is cleaned of secrets.
    """
    fields = clean_job_fields(fields, api_key=provider_key_of(hold.job))
    changed = bool(Job.objects.filter(hold.owned()).update(**fields))
    if changed and not set(fields) <= UNSEEN_FIELDS:  # after commit: the page reads the new row
        status = fields.get("status", JobStatus.RUNNING)
        transaction.on_commit(lambda: publish_job_event(hold.job.pk, status, hold.job.owner_id))
    return changed
