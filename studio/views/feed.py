"""The studio page's feed: its pages, one card (refreshed by push), and the cards' own buttons.

The buttons are plain forms whose action is the job page's own (cancel, retry) or "Run again";
with htmx they post here instead and get a card back, so the person stays on the studio page.
"""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from jobs.models import Job
from jobs.quota import QuotaExceeded
from jobs.services import cancel_job
from studio.access import get_job_for
from studio.dock import cards_for, feed_jobs
from studio.forms.generate import PERSONAL, workspaces_for
from studio.http import AuthenticatedHttpRequest
from studio.models import Team
from studio.submit import SubmitRefused, repeat_job, retry_job
from studio.views.generate import is_htmx, new_cards


@login_required
@require_GET
def feed_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A page of cards for a workspace: the first one (the workspace changed) or the next one
    (`before`: the last job shown; the page's "more" sentinel came into view)."""
    slug = request.GET.get("workspace") or PERSONAL
    allowed = {key for key, _label in workspaces_for(request.user)}
    team = Team.objects.filter(slug=slug).first() if slug in allowed and slug != PERSONAL else None
    before_id = request.GET.get("before")
    before = get_job_for(request.user, before_id) if before_id else None
    jobs, more = feed_jobs(request.user, team, before)
    context = {
        "cards": cards_for(jobs),
        "more_after": jobs[-1] if more else None,
        "workspace_slug": team.slug if team else PERSONAL,
        "first_page": before is None,
    }
    return render(request, "studio/partials/feed_page.html", context)


@login_required
@require_GET
def job_card(request: AuthenticatedHttpRequest, job_id: UUID) -> HttpResponse:
    """One card, as it is now (the push said its job changed)."""
    return _card(request, get_job_for(request.user, job_id))


def _card(request: HttpRequest, job: Job, error: str = "") -> HttpResponse:
    context = {"card": cards_for([job])[0], "card_error": error}
    return render(request, "studio/partials/job_card.html", context)


@login_required
@require_POST
def card_cancel(request: AuthenticatedHttpRequest, job_id: UUID) -> HttpResponse:
    job = get_job_for(request.user, job_id)
    cancel_job(job)
    if not is_htmx(request):
        return redirect("job-detail", job_id=job.pk)
    return _card(request, job)


@login_required
@require_POST
def card_repeat(
    request: AuthenticatedHttpRequest, job_id: UUID, *, retry: bool = False
) -> HttpResponse:
    """Retry (a failed or canceled job) or Run again (any job): a new card first in the feed.
    A refusal (quota, a model gone) is said on the card whose button was pressed."""
    job = get_job_for(request.user, job_id)
    try:
        new_job = retry_job(job) if retry else repeat_job(job)
    except (QuotaExceeded, SubmitRefused) as refusal:
        if not is_htmx(request):
            messages.error(request, str(refusal))
            return redirect("job-detail", job_id=job.pk)
        response = _card(request, job, error=str(refusal))
        response["HX-Retarget"] = f"#job-{job.pk}"
        response["HX-Reswap"] = "outerHTML"
        return response
    if not is_htmx(request):
        return redirect("job-detail", job_id=new_job.pk)
    return new_cards(request, [new_job])
