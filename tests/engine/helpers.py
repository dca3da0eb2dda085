"""What every engine test checks at the end: the books balance."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from jobs.models import Image, Job
from jobs.quota import charged_for_job
from jobs.storage import result_prefix


def provider_submits(sandbox) -> list[dict]:
    return [
        r
        for r in sandbox.requests()
        if r["method"] == "POST" and not r["path"].startswith("/_sandbox")
    ]


def make_due(job: Job) -> None:
    """As if the job's wait (a backoff, a poll interval) had passed."""
    Job.objects.filter(pk=job.pk).update(due_at=timezone.now() - timedelta(seconds=1))


def result_files(job: Job) -> list[str]:
    folder = Path(settings.MEDIA_ROOT) / result_prefix(job)
    return sorted(path.name for path in folder.glob("*")) if folder.exists() else []


def assert_books_balance(job: Job, sandbox, *, images: int) -> None:
    """Images shown = images charged = `images`; no orphan files; one submit per attempt."""
    job.refresh_from_db()
    shown = Image.objects.filter(job=job)
    assert shown.count() == images == job.images_produced
    assert sorted(shown.values_list("index", flat=True)) == list(range(images))
    charged_images, _credits = charged_for_job(job)
    assert charged_images == images, f"charged {charged_images} for {images} images shown"
    assert len(result_files(job)) == 2 * images, result_files(job)  # file + thumbnail each
    prompt_submits = [
        r
        for r in provider_submits(sandbox)
        if job.prompt in str(r["json"]) or job.prompt in str(r["form"])
    ]
    assert len(prompt_submits) == job.attempts, "one provider submit per attempt"
