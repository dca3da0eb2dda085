"""The studio page: what the dock says about a model and its options, the settings it remembers
for each person, and the cards of the feed.

Everything here is read from the capability table (jobs/capabilities.py), the admins' price
table and the quota ledger; nothing is decided twice.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from jobs.capabilities import Capabilities
from jobs.models import Image, Job, ProviderModel
from jobs.parameters import CHIP_PARAMETERS, EDIT, VALUE_LABELS
from jobs.partials import latest_partial
from jobs.quota import QuotaExceeded, QuotaLine, charges_for_jobs, refusal_for
from studio.models import Team

if TYPE_CHECKING:
    from django.contrib.auth.models import User

FEED_PAGE_SIZE = 8
# Choices shown as chips (the registry marks them); the rest stay selects.
CHIP_FIELDS = CHIP_PARAMETERS
# The ratios people name, to call 1792×1024 "16:9" rather than "7:4".
COMMON_RATIOS = ((1, 1), (4, 3), (3, 4), (3, 2), (2, 3), (16, 9), (9, 16), (5, 4), (4, 5))


# --- The model picker ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ModelSummary:
    """One line about a model and its badges, beside the Model select."""

    description: str
    badges: tuple[str, ...]


def model_summary(model: ProviderModel) -> ModelSummary:
    caps = model.capabilities()
    per_image = model.estimate_credits(1, {})
    badges = []
    if EDIT in caps.operations:
        badges.append(_("Edits"))
        if caps.mask:
            badges.append(_("Masks"))
        if caps.max_input_images > 0:
            badges.append(_("Reference images"))
    if caps.partial_images_max:
        badges.append(_("Partial previews"))
    badges.append(
        ngettext("%(count)s credit per image", "%(count)s credits per image", per_image)
        % {"count": per_image}
    )
    return ModelSummary(_describe(caps), tuple(badges))


def _describe(caps: Capabilities) -> str:
    parts = [
        ngettext(
            "Up to %(count)s image per request", "Up to %(count)s images per request", caps.n_max
        )
        % {"count": caps.n_max}
    ]
    shapes = len(caps.sizes) or len(caps.aspect_ratios)
    if shapes:
        parts.append(ngettext("%(count)s shape", "%(count)s shapes", shapes) % {"count": shapes})
    if caps.qualities:
        parts.append(
            ngettext("%(count)s quality level", "%(count)s quality levels", len(caps.qualities))
            % {"count": len(caps.qualities)}
        )
    parts.append(_("prompts up to %(count)s characters") % {"count": f"{caps.prompt_max:,}"})
    return " · ".join(parts)


# --- Option chips -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Chip:
    value: str
    label: str
    detail: str
    checked: bool


def option_chips(
    field_name: str, values: tuple[str, ...], chosen: object, default: str
) -> list[Chip]:
    """The chips of one choice: "Default (what that is)" first, then each allowed value."""
    chosen = "" if chosen in (None, "") else str(chosen)
    if chosen not in values:
        chosen = ""
    default_label = (
        _("Default (%(value)s)") % {"value": _chip_label(default)} if default else _("Default")
    )
    chips = [Chip("", default_label, "", chosen == "")]
    for value in values:
        label, detail = _chip_label(value), ""
        if field_name == "size" and "x" in value:
            label, detail = ratio_name(value) or label, _chip_label(value)
        chips.append(Chip(value, label, detail, chosen == value))
    return chips


def _chip_label(value: str) -> str:
    if value in VALUE_LABELS:
        return _(VALUE_LABELS[value])
    return value.replace("x", "×") if value[:1].isdigit() else value.capitalize()


def ratio_name(size: str) -> str:
    """ "1536x1024" -> "3:2": the nearest ratio people name (within 3 %), else the exact one."""
    try:
        width, height = (int(part) for part in size.split("x"))
    except ValueError:
        return ""
    if not width or not height:
        return ""
    for ratio_w, ratio_h in COMMON_RATIOS:
        if abs(width / height - ratio_w / ratio_h) <= 0.03 * ratio_w / ratio_h:
            return f"{ratio_w}:{ratio_h}"
    divisor = math.gcd(width, height)
    return f"{width // divisor}:{height // divisor}"


# --- The budget ---------------------------------------------------------------------------------


def budget_refusal(
    lines: list[QuotaLine], images: int, credits: int | None
) -> QuotaExceeded | None:
    """What a submit of the dock as it stands would be refused for, said before it is pressed."""
    return refusal_for(lines, {"images": images, "credits": credits or 0})


# --- The feed -----------------------------------------------------------------------------------


def feed_jobs(user: User, team: Team | None, before: Job | None = None) -> tuple[list[Job], bool]:
    """A page of the person's jobs in a workspace, newest first, and whether more follow.

    Paged by "older than this job" rather than by page number, so cards added at the top while
    the person scrolls do not shift the next page."""
    jobs = (
        Job.objects.filter(owner=user, team=team)
        .select_related("model__provider", "team")
        .prefetch_related(Prefetch("images", queryset=Image.objects.order_by("index")))
    )
    if before is not None:
        jobs = jobs.filter(created_at__lt=before.created_at)
    page = list(jobs.order_by("-created_at")[: FEED_PAGE_SIZE + 1])
    return page[:FEED_PAGE_SIZE], len(page) > FEED_PAGE_SIZE


@dataclass(frozen=True)
class Card:
    """One job in the feed, with what its card says besides the job's own fields."""

    job: Job
    images: list[Image]
    partial_index: int | None
    credits: int
    refunded: bool
    elapsed: str

    @property
    def model_label(self) -> str:
        return self.job.model.display_name if self.job.model else self.job.model_name


def cards_for(jobs: list[Job]) -> list[Card]:
    charges = charges_for_jobs([job.pk for job in jobs])
    cards = []
    for job in jobs:
        credits, refunded = charges.get(job.pk, (job.credits_reserved, False))
        partial = None if job.is_final else latest_partial(job.pk)
        cards.append(
            Card(
                job=job,
                images=sorted(job.images.all(), key=lambda image: image.index),
                partial_index=partial[0] if partial else None,
                credits=credits,
                refunded=refunded,
                elapsed=duration_text(_elapsed_seconds(job)),
            )
        )
    return cards


def _elapsed_seconds(job: Job) -> float:
    start: datetime = job.started_at or job.created_at
    end = job.finished_at if job.is_final and job.finished_at else timezone.now()
    return max((end - start).total_seconds(), 0)


def duration_text(seconds: float) -> str:
    whole = round(seconds)
    if whole < 60:
        return _("%(seconds)s s") % {"seconds": whole}
    minutes, rest = divmod(whole, 60)
    return _("%(minutes)s min %(seconds)s s") % {"minutes": minutes, "seconds": rest}
