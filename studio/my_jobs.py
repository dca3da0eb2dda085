"""My jobs: every job a person started, newest first, narrowed by status and workspace.

Jobs are listed whatever became of them (queued, running, failed, canceled), so a job is never
reachable only by its URL. Only the person's own jobs are ever read (`visible_jobs`), and a page
costs the same few queries however deep it is: the page's ids are read as `size + 1` rows (a
"has next" pager, as the library's), then those jobs with their cost and their results.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Prefetch, QuerySet

from jobs.models import Image, Job
from jobs.quota import with_charges
from studio.access import visible_jobs
from studio.library import LibraryPage
from studio.models import Team

if TYPE_CHECKING:
    from django.contrib.auth.models import User

PAGE_SIZE = 25
PERSONAL = "personal"  # the workspace filter's value for jobs made outside any team


@dataclass(frozen=True)
class JobFilters:
    """What a person narrowed My jobs to; empty values mean "any"."""

    status: str = ""  # a JobStatus value
    personal_only: bool = False
    team: Team | None = None


def my_jobs_page(
    user: User, filters: JobFilters, *, page_number: int = 1, page_size: int | None = None
) -> LibraryPage[Job]:
    """One page of the person's jobs, newest first, each with its cost (`with_charges`) and its
    results in order as `results`."""
    page_number = max(1, page_number)
    page_size = page_size or PAGE_SIZE
    offset = (page_number - 1) * page_size
    matching = _apply_filters(visible_jobs(user), filters).order_by("-created_at", "-pk")
    page_ids = list(matching.values_list("pk", flat=True)[offset : offset + page_size + 1])
    results = Prefetch("images", queryset=Image.objects.order_by("index"), to_attr="results")
    rows = with_charges(
        Job.objects.filter(pk__in=page_ids[:page_size])
        .select_related("team")
        .prefetch_related(results)
    )
    by_id = {job.pk: job for job in rows}
    jobs = [by_id[pk] for pk in page_ids[:page_size] if pk in by_id]
    return LibraryPage(jobs, page_number, page_size, has_next=len(page_ids) > page_size)


def _apply_filters(jobs: QuerySet[Job], filters: JobFilters) -> QuerySet[Job]:
    if filters.status:
        jobs = jobs.filter(status=filters.status)
    if filters.personal_only:
        jobs = jobs.filter(team__isnull=True)
    elif filters.team is not None:
        jobs = jobs.filter(team=filters.team)
    return jobs
