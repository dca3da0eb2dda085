"""A person's own usage: spend by day and by model over a period, read from the quota ledger."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from jobs.quota import quota_status
from jobs.usage_report import METRIC_CHOICES, bar_chart, daily_columns, usage_rows
from studio.forms.usage import UsageForm
from studio.http import AuthenticatedHttpRequest


@login_required
@require_GET
def usage(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = UsageForm(request.GET)
    start, end, metric = form.chosen()
    by_day = usage_rows(start=start, end=end, group_by="day", user=request.user)
    by_model = usage_rows(start=start, end=end, group_by="model", user=request.user)
    context = {
        "form": form,
        "start": start,
        "end": end,
        "metric_label": dict(METRIC_CHOICES)[metric],
        "chart": daily_columns(by_day, start=start, end=end, metric=metric),
        "models": list(zip(by_model, bar_chart(by_model, metric).bars, strict=True)),
        "total_images": sum(row.images for row in by_day),
        "total_credits": sum(row.credits for row in by_day),
        "quota_lines": quota_status(user=request.user),
    }
    return render(request, "studio/usage.html", context)
