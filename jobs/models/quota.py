"""Quota limits and the append-only ledger of every reservation, settlement and refund.

Only `jobs.quota` writes ledger rows; usage is always a sum of them.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

LIMIT_FIELDS = ("images_per_day", "images_per_month", "credits_per_day", "credits_per_month")


class QuotaLimit(models.Model):
    """Limits for one person or one team; a row naming neither is the default for its scope.

    An empty limit means unlimited. A person's or team's own row replaces the default as a whole
    (its empty fields are unlimited, they do not fall back to the default).
    """

    class Scope(models.TextChoices):
        USER = "user", _("Person")
        TEAM = "team", _("Team")

    scope = models.CharField(_("scope"), max_length=4, choices=Scope.choices)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="quota_limit",
        verbose_name=_("person"),
    )
    team = models.OneToOneField(
        "studio.Team",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="quota_limit",
        verbose_name=_("team"),
    )
    images_per_day = models.PositiveIntegerField(_("images per day"), null=True, blank=True)
    images_per_month = models.PositiveIntegerField(_("images per month"), null=True, blank=True)
    credits_per_day = models.PositiveIntegerField(_("credits per day"), null=True, blank=True)
    credits_per_month = models.PositiveIntegerField(_("credits per month"), null=True, blank=True)
    max_running_jobs = models.PositiveIntegerField(
        _("jobs running at once"),
        null=True,
        blank=True,
        help_text=_(
            "A person's jobs running at once (more wait, queued); empty: the site default."
        ),
    )
    max_batch_prompts = models.PositiveIntegerField(
        _("prompts per batch"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_(
            "The most prompts (jobs) one batch of a person's may have; a batch is also refused "
            "when it would leave them more unfinished jobs than this. Empty: the site default."
        ),
    )

    class Meta:
        verbose_name = _("quota limit")
        verbose_name_plural = _("quota limits")
        constraints = [
            models.CheckConstraint(
                condition=Q(scope="user", team__isnull=True) | Q(scope="team", user__isnull=True),
                name="quota_subject_matches_scope",
                violation_error_message=_(
                    "A person's quota names no team; a team's names no person."
                ),
            ),
            models.UniqueConstraint(
                fields=["scope"],
                condition=Q(user__isnull=True, team__isnull=True),
                name="one_default_quota_per_scope",
                violation_error_message=_("There is already a default quota for this scope."),
            ),
        ]

    def __str__(self) -> str:
        return f"Quota: {self.subject_label}"

    @property
    def is_default(self) -> bool:
        return self.user_id is None and self.team_id is None

    @property
    def subject_label(self) -> str:
        if self.user_id:
            return str(self.user)
        if self.team_id:
            return f"team {self.team}"
        return f"default for every {self.get_scope_display().lower()}"

    def clean(self) -> None:
        # Field-level messages in the admin form, before the constraints' generic ones.
        if self.scope == self.Scope.USER and self.team_id:
            raise ValidationError({"team": "A person's quota cannot name a team."})
        if self.scope == self.Scope.TEAM and self.user_id:
            raise ValidationError({"user": "A team's quota cannot name a person."})


class LedgerKind(models.TextChoices):
    RESERVE = "reserve", _("Reserve")
    SETTLE = "settle", _("Settle")
    REFUND = "refund", _("Refund")
    ADJUST = "adjust", _("Admin adjustment")


class LedgerEntry(models.Model):
    """One movement of images and credits. Rows are only ever added, never changed.

    Positive amounts use quota up, negative ones give it back. A row with a person counts against
    that person's limits; a row with a team counts against the team's.
    """

    kind = models.CharField(_("kind"), max_length=10, choices=LedgerKind.choices)
    job = models.ForeignKey(
        "jobs.Job",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ledger",
        verbose_name=_("job"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ledger_entries",
        verbose_name=_("person"),
    )
    team = models.ForeignKey(
        "studio.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ledger_entries",
        verbose_name=_("team"),
    )
    images = models.IntegerField(_("images"))
    credits = models.IntegerField(_("credits"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    # The moment the movement counts for in day/month windows and the report. A settlement or
    # refund counts when its reservation did, so a job that ends after midnight gives yesterday's
    # quota back to yesterday rather than adding to today's.
    charged_at = models.DateTimeField(_("charged at"))

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        indexes = [
            models.Index(fields=["user", "charged_at"], name="ledger_user_charged"),
            models.Index(fields=["team", "charged_at"], name="ledger_team_charged"),
            models.Index(fields=["charged_at"], name="ledger_charged"),
        ]
        constraints = [
            # Backstops for the service's idempotency: one reservation and one closing per job.
            models.UniqueConstraint(
                fields=["job"], condition=Q(kind="reserve"), name="one_reserve_per_job"
            ),
            models.UniqueConstraint(
                fields=["job"],
                condition=Q(kind__in=["settle", "refund"]),
                name="one_settle_or_refund_per_job",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.images:+} images, {self.credits:+} credits"


def team_model() -> type[models.Model]:
    """The web app's team model, as the quota's foreign keys name it ("studio.Team").

    The engine never imports the web app (the import contracts in pyproject.toml), so the code
    that must look teams up (the admin's adjustment form, `setquota`) asks Django for the model
    that key was resolved to.
    """
    model = QuotaLimit._meta.get_field("team").related_model
    if not isinstance(model, type):
        raise TypeError("QuotaLimit.team must name a model")
    return model
