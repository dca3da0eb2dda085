"""Admin for quota limits, the read-only ledger, adjustments and the usage report."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jobs.models import LedgerEntry, QuotaLimit
from jobs.models.quota import LIMIT_FIELDS, team_model
from jobs.quota import adjust_quota
from jobs.usage_report import (
    GROUP_CHOICES,
    METRIC_CHOICES,
    UsageRow,
    bar_chart,
    usage_csv,
    usage_rows,
)


@admin.register(QuotaLimit)
class QuotaLimitAdmin(admin.ModelAdmin):
    list_display = ("subject", "scope", *LIMIT_FIELDS)
    list_filter = ("scope",)
    search_fields = ("user__username", "team__name", "team__slug")
    list_select_related = ("user", "team")
    fieldsets = (
        (
            None,
            {
                "fields": ("scope", "user", "team"),
                "description": _(
                    "Name a person (scope Person) or a team (scope Team); name "
                    "neither for the default of the scope."
                ),
            },
        ),
        (
            _("Limits"),
            {
                "fields": LIMIT_FIELDS,
                "description": _(
                    "Empty means unlimited. A person's or team's own limits replace "
                    "the default as a whole. Credits are the models' credits per image."
                ),
            },
        ),
        (
            _("Running at once"),
            {
                "fields": ("max_running_jobs",),
                "description": _(
                    "For a person: how many of their jobs may run at once; the rest wait, "
                    "queued. Empty means the site default (STUDIO_MAX_RUNNING_JOBS)."
                ),
            },
        ),
        (
            _("Batches"),
            {
                "fields": ("max_batch_prompts",),
                "description": _(
                    "For a person: how many prompts one batch may have, and how many of their "
                    "jobs may be unfinished once it is in. Empty means the site default "
                    "(STUDIO_MAX_BATCH_PROMPTS)."
                ),
            },
        ),
    )

    @admin.display(description=_("Applies to"))
    def subject(self, obj: QuotaLimit) -> str:
        return obj.subject_label


class AdjustmentForm(forms.Form):
    user = forms.ModelChoiceField(
        queryset=get_user_model().objects.order_by("username"), required=False, label=_("Person")
    )
    team = forms.ModelChoiceField(
        queryset=team_model()._default_manager.all(), required=False, label=_("Team")
    )
    images = forms.IntegerField(
        label=_("Images"), initial=0, help_text=_("Positive uses quota up; negative gives back.")
    )
    credits = forms.IntegerField(
        label=_("Credits"), initial=0, help_text=_("Positive uses quota up; negative gives back.")
    )
    note = forms.CharField(
        label=_("Note"), max_length=200, help_text=_("Why, for whoever reads the ledger later.")
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not data.get("user") and not data.get("team"):
            raise forms.ValidationError(gettext("Choose a person, a team, or both."))
        if not data.get("images") and not data.get("credits"):
            raise forms.ValidationError(gettext("An adjustment needs some images or credits."))
        return data


class ReportForm(forms.Form):
    date_from = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
    group_by = forms.ChoiceField(choices=GROUP_CHOICES, initial="person", label=_("Group by"))
    metric = forms.ChoiceField(choices=METRIC_CHOICES, initial="images", label=_("Chart"))

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(gettext("The start date must not be after the end date."))
        return data


def _report_defaults() -> dict[str, Any]:
    today = timezone.localdate(timezone=timezone.get_default_timezone())
    return {
        "date_from": today - timedelta(days=29),
        "date_to": today,
        "group_by": "person",
        "metric": "images",
    }


@admin.register(LedgerEntry)
class LedgerEntryAdmin(admin.ModelAdmin):
    """The ledger is append-only: rows come only from `jobs.quota`, so nothing is editable."""

    list_display = ("created_at", "kind", "user", "team", "job_link", "images", "credits", "note")
    list_filter = ("kind", "team")
    search_fields = ("user__username", "team__name", "job__model_name", "note")
    date_hierarchy = "charged_at"
    list_select_related = ("user", "team", "job")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # adjustments go through adjust_view, which calls the quota service

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("Job"))
    def job_link(self, obj: LedgerEntry) -> str:
        if obj.job is None:
            return "—"
        label = f"{obj.job.model_name} {str(obj.job.pk)[:8]}"
        try:
            url = reverse("admin:jobs_job_change", args=[obj.job.pk])
        except NoReverseMatch:
            return label
        return format_html('<a href="{}">{}</a>', url, label)

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        return [
            path("report/", wrap(self.report_view), name="jobs_ledgerentry_report"),
            path("adjust/", wrap(self.adjust_view), name="jobs_ledgerentry_adjust"),
            *super().get_urls(),
        ]

    def can_adjust(self, request: HttpRequest) -> bool:
        return request.user.has_perm("jobs.add_ledgerentry")

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        extra = {"can_adjust": self.can_adjust(request), **(extra_context or {})}
        return super().changelist_view(request, extra_context=extra)

    def adjust_view(self, request: HttpRequest) -> HttpResponse:
        if not self.can_adjust(request):
            raise PermissionDenied
        form = AdjustmentForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            entry = adjust_quota(**form.cleaned_data)
            self.message_user(
                request,
                gettext("Adjustment recorded: %(entry)s.") % {"entry": entry},
                messages.SUCCESS,
            )
            return HttpResponseRedirect(reverse("admin:jobs_ledgerentry_changelist"))
        context = {**self._context(request, gettext("Add a quota adjustment")), "form": form}
        return TemplateResponse(request, "admin/jobs/ledgerentry/adjust.html", context)

    def report_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        defaults = _report_defaults()
        form = ReportForm(request.GET if "date_from" in request.GET else None, initial=defaults)
        context = {**self._context(request, gettext("Usage report")), "form": form}
        template = "admin/jobs/ledgerentry/report.html"
        if form.is_bound and not form.is_valid():
            return TemplateResponse(request, template, context)  # the form shows what is wrong
        params = form.cleaned_data if form.is_bound else defaults
        rows = usage_rows(
            start=params["date_from"], end=params["date_to"], group_by=params["group_by"]
        )
        group_label = str(dict(GROUP_CHOICES)[params["group_by"]])
        if request.GET.get("format") == "csv":
            return _csv_response(rows, group_label, params)
        context |= {
            "rows": rows,
            "group_label": group_label,
            "metric_label": dict(METRIC_CHOICES)[params["metric"]],
            "chart": bar_chart(rows, params["metric"]),
            "total_images": sum(row.images for row in rows),
            "total_credits": sum(row.credits for row in rows),
            "total_tokens": sum(row.tokens for row in rows),
            "csv_query": _csv_query(request),
        }
        return TemplateResponse(request, template, context)

    def _context(self, request: HttpRequest, title: str) -> dict[str, Any]:
        return {**self.admin_site.each_context(request), "opts": self.opts, "title": title}


def _csv_query(request: HttpRequest) -> str:
    query = request.GET.copy()
    query["format"] = "csv"
    return query.urlencode()


def _csv_response(rows: list[UsageRow], group_label: str, params: dict[str, Any]) -> HttpResponse:
    start: date = params["date_from"]
    end: date = params["date_to"]
    filename = f"usage-by-{params['group_by']}-{start:%Y%m%d}-{end:%Y%m%d}.csv"
    response = HttpResponse(usage_csv(rows, group_label), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
