"""The GET form of the personal usage page: which period, and which figure the chart draws."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jobs.usage_report import METRIC_CHOICES

if TYPE_CHECKING:
    from django.http import QueryDict

DEFAULT_PERIOD = "30"
PERIOD_CHOICES = [
    ("7", _("Last 7 days")),
    ("30", _("Last 30 days")),
    ("90", _("Last 90 days")),
    ("month", _("This month")),
    ("last-month", _("Last month")),
]


class UsageForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"), choices=PERIOD_CHOICES, required=False)
    metric = forms.ChoiceField(label=_("Chart"), choices=METRIC_CHOICES, required=False)

    def __init__(self, data: QueryDict, **kwargs: Any) -> None:
        # The defaults as if chosen, so the selects show what the page shows.
        super().__init__({"period": DEFAULT_PERIOD, "metric": "credits", **data.dict()}, **kwargs)

    def chosen(self) -> tuple[date, date, str]:
        """(first day, last day, metric) asked for; the defaults where a value is not valid."""
        self.is_valid()  # an invalid field shows its error and is left out of cleaned_data
        period = self.cleaned_data.get("period") or DEFAULT_PERIOD
        return (*period_range(period), self.cleaned_data.get("metric") or "credits")


def period_range(period: str, today: date | None = None) -> tuple[date, date]:
    """First and last day of `period`, ending today in settings.TIME_ZONE (where quota days
    start), or the whole of last month."""
    today = today or timezone.localtime(timezone.now(), timezone.get_default_timezone()).date()
    if period == "month":
        return today.replace(day=1), today
    if period == "last-month":
        last_day = today.replace(day=1) - timedelta(days=1)
        return last_day.replace(day=1), last_day
    return today - timedelta(days=int(period) - 1), today
