"""My jobs: every job the person started, whatever became of it, narrowed by a GET form."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from studio.access import user_teams
from studio.forms.library import page_number
from studio.forms.my_jobs import MyJobsFilterForm
from studio.http import AuthenticatedHttpRequest
from studio.my_jobs import my_jobs_page


@login_required
@require_GET
def my_jobs(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = MyJobsFilterForm(request.GET, teams=user_teams(request.user).order_by("name"))
    page = my_jobs_page(
        request.user, form.filters(), page_number=page_number(request.GET.get("page"))
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {"filter_form": form, "page": page, "query": query.urlencode()}
    return render(request, "studio/my_jobs.html", context)
