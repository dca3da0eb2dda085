"""Usage by person, team, model or day over a date range, summed from the quota ledger.

Days are calendar days in settings.TIME_ZONE and a row counts on its `charged_at`, as the quota
windows do, so the report and what a person is shown always agree.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Case, CharField, F, QuerySet, Sum, Value, When
from django.db.models.functions import Concat, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jobs.models import LedgerEntry, LedgerKind

if TYPE_CHECKING:
    from django.contrib.auth.models import User

GROUP_CHOICES = [
    ("person", _("Person")),
    ("team", _("Team")),
    ("model", _("Model")),
    ("day", _("Day")),
    ("token", _("API token")),
]
METRIC_CHOICES = [("images", _("Images")), ("credits", _("Credits"))]
# What a missing group value means, per grouping.
EMPTY_LABELS = {
    "person": _("(no person: team adjustments)"),
    "team": _("Personal workspace"),
    "model": _("(no job: adjustments)"),
    "day": "",
    "token": "(not through the API)",
}


@dataclass(frozen=True)
class UsageRow:
    label: str
    images: int
    credits: int
    tokens: int = 0  # what providers reported (usage.total_tokens of the jobs), beside credits


@dataclass(frozen=True)
class Bar:
    """One bar of the server-drawn chart, in SVG user units."""

    label: str
    value: int
    y: int
    width: int


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    width: int
    height: int
    label_width: int
    bar_height: int
    max_bar: int


def local_range(start: date, end: date) -> tuple[datetime, datetime]:
    """From the start of `start` to the end of `end`, in settings.TIME_ZONE."""
    zone = timezone.get_default_timezone()
    return (
        datetime.combine(start, time.min, tzinfo=zone),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone),
    )


def _keyed(entries: QuerySet[LedgerEntry], group_by: str) -> QuerySet[Any]:
    keys = {
        "person": F("user__username"),
        "team": F("team__name"),
        "model": F("job__model_name"),
        "day": TruncDate("charged_at", tzinfo=timezone.get_default_timezone()),
        # Token names are chosen by their owners, so the owner is part of the label.
        "token": Case(
            When(job__api_token__isnull=True, then=Value(None)),
            default=Concat(
                F("job__api_token__user__username"), Value(": "), F("job__api_token__name")
            ),
            output_field=CharField(),
        ),
    }
    # QuerySet[Any]: the "group" annotation is chosen at run time, which the stubs cannot follow.
    return entries.annotate(group=keys[group_by])


def _grouped(entries: QuerySet[LedgerEntry], group_by: str) -> QuerySet[Any]:
    return (
        _keyed(entries, group_by)
        .values("group")
        .annotate(images=Sum("images"), credits=Sum("credits"))
        .order_by()
    )


def _tokens_by_group(entries: QuerySet[LedgerEntry], group_by: str) -> dict[Any, int]:
    """Tokens the providers reported (`usage.total_tokens` of each job), per group. Read from the
    reservations, one per job; provider JSON is summed here, where a non-number is skipped."""
    totals: dict[Any, int] = {}
    reservations = _keyed(entries.filter(kind=LedgerKind.RESERVE, job__isnull=False), group_by)
    for row in reservations.values("group", "job__usage"):
        reported = (row["job__usage"] or {}).get("total_tokens")
        if isinstance(reported, int | float) and not isinstance(reported, bool):
            totals[row["group"]] = totals.get(row["group"], 0) + int(reported)
    return totals


def usage_rows(
    *, start: date, end: date, group_by: str, user: User | None = None
) -> list[UsageRow]:
    """Images and credits per group, summed in the database; sorted by label (days in order).

    With `user`, only what counts against that person's limits (their jobs in every workspace,
    and adjustments to their own quota): the personal usage page.
    """
    since, until = local_range(start, end)
    entries = LedgerEntry.objects.filter(charged_at__gte=since, charged_at__lt=until)
    if user is not None:
        entries = entries.filter(user=user)
    groups = sorted(_grouped(entries, group_by), key=lambda g: (g["group"] is None, g["group"]))
    tokens = _tokens_by_group(entries, group_by)
    return [
        UsageRow(
            label=str(EMPTY_LABELS[group_by]) if g["group"] is None else str(g["group"]),
            images=g["images"],
            credits=g["credits"],
            tokens=tokens.get(g["group"], 0),
        )
        for g in groups
    ]


def bar_chart(rows: list[UsageRow], metric: str) -> Chart:
    """Horizontal bars scaled to the largest value; negative net usage draws no bar."""
    label_width, bar_height, gap, max_bar = 220, 18, 6, 480
    largest = max((getattr(row, metric) for row in rows), default=0)
    bars = []
    for index, row in enumerate(rows):
        value = getattr(row, metric)
        width = round(max_bar * max(value, 0) / largest) if largest > 0 else 0
        bars.append(Bar(row.label, value, index * (bar_height + gap), width))
    return Chart(
        bars=bars,
        width=label_width + max_bar + 90,
        height=max(len(rows) * (bar_height + gap), bar_height),
        label_width=label_width,
        bar_height=bar_height,
        max_bar=max_bar,
    )


@dataclass(frozen=True)
class Column:
    """One day of the daily chart: its figures, and its column in SVG user units."""

    day: date
    images: int
    credits: int
    value: int  # the charted one of the two
    x: float
    center: float
    height: float
    labelled: bool  # whether the axis names this day (a few, evenly spaced)


@dataclass(frozen=True)
class ColumnChart:
    columns: list[Column]
    width: int
    height: int  # of the plot, without the axis labels below it
    column_width: float
    largest: int


def daily_columns(rows: list[UsageRow], *, start: date, end: date, metric: str) -> ColumnChart:
    """A column for every day from `start` to `end` (zero on days without usage), from the rows
    of `usage_rows(group_by="day")`; scaled to the largest day, negative net usage draws none."""
    by_day = {row.label: row for row in rows}
    days = [start + timedelta(days=offset) for offset in range((end - start).days + 1)]
    width, height = 720, 200
    slot = width / len(days)
    every = -(-len(days) // 7)  # about seven labels, whatever the period
    zero = UsageRow("", 0, 0)
    figures = [by_day.get(day.isoformat(), zero) for day in days]
    largest = max((getattr(row, metric) for row in figures), default=0)
    columns = []
    for index, (day, row) in enumerate(zip(days, figures, strict=True)):
        value = getattr(row, metric)
        scaled = height * max(value, 0) / largest if largest > 0 else 0
        columns.append(
            Column(
                day=day,
                images=row.images,
                credits=row.credits,
                value=value,
                x=round(index * slot + slot * 0.15, 2),
                center=round(index * slot + slot / 2, 2),
                height=round(scaled, 2),
                labelled=index % every == 0,
            )
        )
    return ColumnChart(columns, width, height, round(slot * 0.7, 2), largest)


def _cell(text: str) -> str:
    # A spreadsheet would run a cell starting with these as a formula (CSV injection).
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def usage_csv(rows: list[UsageRow], group_label: str) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([group_label, "Images", "Credits", "Provider tokens"])
    for row in rows:
        writer.writerow([_cell(row.label), row.images, row.credits, row.tokens])
    return buffer.getvalue()
