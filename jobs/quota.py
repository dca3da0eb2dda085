"""The quota service: the only code that writes ledger rows.

A job's cost is reserved when it is submitted, settled to what was really produced when it
succeeds, and refunded when it fails or is cancelled. Usage is always the sum of ledger rows.

Who pays: every job counts against its owner's limits, wherever it was made, so a per-person limit
caps what one person can spend of the shared keys. A team job also counts against its team's
limits. Windows ("today", "this month") start at midnight / the first of the month in
settings.TIME_ZONE, and a row counts in the window of its `charged_at` (a settlement or refund
carries the time of its reservation).

Concurrency: a reservation locks each subject (person, then team: always in that order, so two
reservations cannot deadlock) before it sums the ledger, so two submits can never both pass a
limit that only one fits. On PostgreSQL the lock is a transaction-level advisory lock; on SQLite
the studio opens every transaction with BEGIN IMMEDIATE (see settings), which already serialises
writers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, TypeAlias

from django.db import connection, transaction
from django.db.models import Count, Exists, Model, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jobs import telemetry
from jobs.models import LedgerEntry, LedgerKind, QuotaLimit

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, User

    from jobs.models import Job

# A team is a row of the web app's model that the ledger's foreign key names ("studio.Team"). The
# engine never imports the web app, so here a team is any model row: only its pk and name are read.
TeamRow: TypeAlias = Model

UNITS = ("images", "credits")
PERIODS = ("day", "month")
# What is left of one limit, by (unit, period); whole sentences so each language words them freely.
LEFT_TEXTS = {
    ("images", "day"): gettext_lazy("%(left)s of %(limit)s images left today"),
    ("images", "month"): gettext_lazy("%(left)s of %(limit)s images left this month"),
    ("credits", "day"): gettext_lazy("%(left)s of %(limit)s credits left today"),
    ("credits", "month"): gettext_lazy("%(left)s of %(limit)s credits left this month"),
}


def _count(number: int) -> str:
    return number_format(number, force_grouping=True)


@dataclass(frozen=True)
class QuotaLine:
    """One limit that applies, and how much of it is used, for a form to show."""

    team: str | None  # the team's name, or None for the person's own limits
    unit: str  # "images" or "credits"
    period: str  # "day" or "month"
    limit: int
    used: int

    @property
    def who(self) -> str:
        return _("You") if self.team is None else _("Team '%(team)s'") % {"team": self.team}

    @property
    def left(self) -> int:
        # An admin may lower a limit below what is already used: show none left, not a debt.
        return max(self.limit - self.used, 0)

    @property
    def nearly_used(self) -> bool:
        """At 80 % of the limit or more: worth a notice before the person runs out."""
        return self.used * 5 >= self.limit * 4

    @property
    def text(self) -> str:
        template = LEFT_TEXTS[self.unit, self.period]
        return template % {"left": _count(self.left), "limit": _count(self.limit)}

    def __str__(self) -> str:
        return f"{self.who}: {self.text}"


class QuotaExceeded(Exception):
    """A request does not fit in a limit; str() is the message to show the person."""

    def __init__(self, line: QuotaLine, needed: int) -> None:
        self.line = line
        self.needed = needed
        values = {"quota": line.text, "needed": _count(needed), "team": line.team}
        if line.team is None:
            message = _("You have %(quota)s; this request needs %(needed)s.") % values
        else:
            message = (
                _("Your team '%(team)s' has %(quota)s; this request needs %(needed)s.") % values
            )
        super().__init__(message)


@dataclass(frozen=True)
class _Subject:
    """A person or a team whose limits and ledger rows are looked at together."""

    user: AbstractBaseUser | None = None
    team: TeamRow | None = None

    @property
    def team_name(self) -> str | None:
        return None if self.user is not None else str(self.team)

    @property
    def lock_key(self) -> str:
        if self.user is not None:
            return f"quota:user:{self.user.pk}"
        assert self.team is not None, "a scope names a person or a team"
        return f"quota:team:{self.team.pk}"

    def ledger_rows(self) -> Q:
        return Q(user=self.user) if self.user is not None else Q(team=self.team)

    def limit_row(self) -> QuotaLimit | None:
        """The subject's own row, else the default for its scope, else None (unlimited)."""
        if self.user is not None:
            scope, own = QuotaLimit.Scope.USER, Q(user=self.user)
        else:
            scope, own = QuotaLimit.Scope.TEAM, Q(team=self.team)
        default = Q(user__isnull=True, team__isnull=True)
        rows = list(QuotaLimit.objects.filter(Q(scope=scope) & (own | default)))
        rows.sort(key=lambda row: row.is_default)  # the subject's own row first
        return rows[0] if rows else None


def _subjects(user: AbstractBaseUser | None, team: TeamRow | None) -> list[_Subject]:
    # Person first, then team: the lock order every caller follows.
    people = [_Subject(user=user)] if user is not None else []
    return people + ([_Subject(team=team)] if team is not None else [])


def window_starts(now: datetime | None = None) -> dict[str, datetime]:
    """Where "today" and "this month" begin, in settings.TIME_ZONE."""
    local = timezone.localtime(now or timezone.now(), timezone.get_default_timezone())
    day = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return {"day": day, "month": day.replace(day=1)}


def _lines(subject: _Subject) -> list[QuotaLine]:
    limits = subject.limit_row()
    if limits is None:
        return []
    wanted = [
        (unit, period, getattr(limits, f"{unit}_per_{period}"))
        for unit in UNITS
        for period in PERIODS
        if getattr(limits, f"{unit}_per_{period}") is not None
    ]
    if not wanted:
        return []
    starts = window_starts()
    used = LedgerEntry.objects.filter(
        subject.ledger_rows(), charged_at__gte=starts["month"]
    ).aggregate(
        **{
            f"{unit}_{period}": Sum(unit, filter=Q(charged_at__gte=starts[period]), default=0)
            for unit, period, _ in wanted
        }
    )
    return [
        QuotaLine(subject.team_name, unit, period, limit, used[f"{unit}_{period}"])
        for unit, period, limit in wanted
    ]


def quota_status(*, user: AbstractBaseUser, team: TeamRow | None = None) -> list[QuotaLine]:
    """Every limit that applies to work by `user` in `team` (or personal), with what is left."""
    return [line for subject in _subjects(user, team) for line in _lines(subject)]


def _lock(subject: _Subject) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [subject.lock_key]
            )
    # Elsewhere (SQLite) the surrounding BEGIN IMMEDIATE transaction is the lock.


def reserve_quota(*, job: Job) -> None:
    """Reserve `job.n` images and `job.credits_reserved` credits, or raise QuotaExceeded.

    Call it inside the transaction that created the job, so a refusal rolls the job back too.
    Reserving a job twice reserves once.
    """
    needed = {"images": job.n, "credits": job.credits_reserved}
    subjects = _subjects(job.owner, job.team)
    # No savepoint inside the submit's transaction: two round trips less per submit, and a
    # refusal rolls back the whole submit anyway.
    with transaction.atomic(savepoint=False):
        for subject in subjects:
            _lock(subject)
        if LedgerEntry.objects.filter(job=job, kind=LedgerKind.RESERVE).exists():
            return
        _check_fits(subjects, needed, job.owner_id)
        _reservation(job, timezone.now()).save()


def check_quota_fits(
    *, user: AbstractBaseUser, team: TeamRow | None, images: int, credits: int
) -> None:
    """Lock the person (and team) and check that a request of this size fits, or raise
    QuotaExceeded, before any of it is created. Call it inside the transaction that then
    creates and reserves the request: the locks hold until that transaction ends."""
    subjects = _subjects(user, team)
    with transaction.atomic(savepoint=False):
        for subject in subjects:
            _lock(subject)
        _check_fits(subjects, {"images": images, "credits": credits}, user.pk)


def reserve_quota_for_batch(jobs: Sequence[Job]) -> None:
    """Reserve a whole batch (jobs of one owner and workspace) at once, or raise QuotaExceeded.

    The batch is checked as one request under one lock, so it fits whole or nothing is reserved;
    each job still gets its own ledger row, so each settles or is refunded on its own.
    """
    needed = {
        "images": sum(job.n for job in jobs),
        "credits": sum(j.credits_reserved for j in jobs),
    }
    subjects = _subjects(jobs[0].owner, jobs[0].team)
    with transaction.atomic():
        for subject in subjects:
            _lock(subject)
        _check_fits(subjects, needed, jobs[0].owner_id)
        now = timezone.now()
        LedgerEntry.objects.bulk_create([_reservation(job, now) for job in jobs])


def _check_fits(subjects: list[_Subject], needed: dict[str, int], owner_id: int | None) -> None:
    for subject in subjects:
        refusal = refusal_for(_lines(subject), needed)
        if refusal is not None:
            telemetry.quota_refused(refusal.line.period, refusal.line.unit, owner_id)
            raise refusal


def refusal_for(lines: Sequence[QuotaLine], needed: dict[str, int]) -> QuotaExceeded | None:
    """The first limit among `lines` that a request needing `needed` ({"images": …, "credits":
    …}) would pass, as the refusal a submit would raise; None when it fits. Forms use it to say
    so before the person submits."""
    for line in lines:
        if needed[line.unit] and line.used + needed[line.unit] > line.limit:
            return QuotaExceeded(line, needed[line.unit])
    return None


def _reservation(job: Job, now: datetime) -> LedgerEntry:
    return LedgerEntry(
        kind=LedgerKind.RESERVE,
        job=job,
        user=job.owner,
        team=job.team,
        images=job.n,
        credits=job.credits_reserved,
        note=f"{job.n} x {job.model_name}",
        charged_at=now,
    )


def settle_quota(job: Job) -> None:
    """Give back what was reserved but not produced; credits pro rata per image."""
    _close(job, LedgerKind.SETTLE, produced=job.images_produced)


def refund_quota(job: Job) -> None:
    """Give back everything reserved for a job that failed or was cancelled."""
    _close(job, LedgerKind.REFUND, produced=0)


def _close(job: Job, kind: LedgerKind, *, produced: int) -> None:
    """Write the one settlement or refund of a job; later calls, of either kind, write nothing."""
    reserve = LedgerEntry.objects.filter(job=job, kind=LedgerKind.RESERVE).first()
    if reserve is None:
        return  # nothing was reserved (quotas came after the job), so nothing to give back
    with transaction.atomic():
        for subject in _subjects(reserve.user, reserve.team):
            _lock(subject)
        closing = (LedgerKind.SETTLE, LedgerKind.REFUND)
        if LedgerEntry.objects.filter(job=job, kind__in=closing).exists():
            return
        images_back, credits_back = _unused(reserve, produced)
        note = f"{produced} of {reserve.images} produced" if kind == LedgerKind.SETTLE else ""
        LedgerEntry.objects.create(
            kind=kind,
            job=job,
            user=reserve.user,
            team=reserve.team,
            images=-images_back,
            credits=-credits_back,
            note=note or f"job {job.status}",
            charged_at=reserve.charged_at,
        )


def _unused(reserve: LedgerEntry, produced: int) -> tuple[int, int]:
    """Images and credits of a reservation not used by `produced` images."""
    produced = max(0, min(produced, reserve.images))
    if reserve.images <= 0:
        return 0, 0
    # Rounded in the person's favour: they pay whole credits for whole images only.
    credits_used = reserve.credits * produced // reserve.images
    return reserve.images - produced, reserve.credits - credits_used


def adjust_quota(
    *,
    user: User | None = None,
    team: TeamRow | None = None,
    images: int = 0,
    credits: int = 0,
    note: str = "",
) -> LedgerEntry:
    """An admin's correction: positive amounts use quota up, negative ones give it back."""
    if user is None and team is None:
        raise ValueError("An adjustment needs a person or a team.")
    return LedgerEntry.objects.create(
        kind=LedgerKind.ADJUST,
        user=user,
        team_id=None if team is None else team.pk,
        images=images,
        credits=credits,
        note=note[:200],
        charged_at=timezone.now(),
    )


def charges_for_jobs(job_ids: Sequence) -> dict:
    """{job id: (credits charged, refunded?)} from the ledger, for a page of job cards at once."""
    rows = (
        LedgerEntry.objects.filter(job_id__in=job_ids)
        .values("job_id")
        .annotate(
            credits=Sum("credits", default=0),
            refunds=Count("pk", filter=Q(kind=LedgerKind.REFUND)),
        )
    )
    return {row["job_id"]: (row["credits"], row["refunds"] > 0) for row in rows}


def charged_for_job(job: Job) -> tuple[int, int]:
    """(images, credits) a job really cost: the sum of its ledger rows."""
    totals = LedgerEntry.objects.filter(job=job).aggregate(
        images=Sum("images"), credits=Sum("credits")
    )
    return totals["images"] or 0, totals["credits"] or 0


def with_charges(jobs: QuerySet[Job]) -> QuerySet[Job]:
    """`jobs`, each with what it cost so far as `charged_images` and `charged_credits` (the sum of
    its ledger rows, as `charged_for_job`; None for a job that reserved nothing) and `refunded`
    (its reservation was given back). Subqueries, so a list of jobs costs one query."""
    rows = LedgerEntry.objects.filter(job=OuterRef("pk")).order_by().values("job")
    return jobs.annotate(
        charged_images=Subquery(rows.annotate(total=Sum("images")).values("total")[:1]),
        charged_credits=Subquery(rows.annotate(total=Sum("credits")).values("total")[:1]),
        refunded=Exists(LedgerEntry.objects.filter(job=OuterRef("pk"), kind=LedgerKind.REFUND)),
    )
