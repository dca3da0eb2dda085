"""Providers (a base URL and a key) and the models each one serves, in a dialect."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from jobs import messages as texts
from jobs.capabilities import Capabilities, credits_for
from jobs.dialects import capabilities_for, dialect_choices
from jobs.localized import localize
from jobs.providers.base import Endpoint
from jobs.providers.common import check_poll_path
from jobs.secrets import describe_api_key, open_api_key, seal_api_key


class RateLimits(models.Model):
    """Fair use of a provider, or of one of its models (jobs/limits.py holds them in Redis)."""

    max_concurrent = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Jobs running at once, across every worker; empty: no limit.",
    )
    requests_per_second = models.PositiveIntegerField(
        null=True, blank=True, help_text="Requests (submits and polls) per second; empty: no limit."
    )

    class Meta:
        abstract = True


class Provider(RateLimits):
    name = models.SlugField(unique=True, help_text="Unique short name, as in the providers TOML.")
    label = models.CharField(max_length=100, blank=True)
    base_url = models.URLField(max_length=500)
    api_key_sealed = models.TextField(
        blank=True, help_text="An env:NAME reference or an encrypted key; never the key itself."
    )
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        # Changing a key (or where it is sent) is its own right, apart from editing providers.
        permissions = [("change_provider_key", "Can change a provider's API key and base URL")]

    def __str__(self) -> str:
        return self.label or self.name

    def set_api_key(self, value: str) -> None:
        self.api_key_sealed = seal_api_key(value)

    def api_key(self) -> str:
        return open_api_key(self.api_key_sealed)

    @property
    def api_key_description(self) -> str:
        return describe_api_key(self.api_key_sealed)


class ProviderModel(RateLimits):
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="models")
    name = models.CharField(max_length=100, help_text="The model id sent to the provider.")
    label = models.CharField(max_length=100, blank=True)
    dialect = models.CharField(max_length=20, choices=dialect_choices)
    poll_path = models.CharField(
        max_length=200, blank=True, help_text="For asynchronous dialects; may contain {task_id}."
    )
    credits_per_image = models.PositiveIntegerField(null=True, blank=True)
    limits = models.JSONField(
        default=dict, blank=True, help_text="Overrides of the capability table, as in the TOML."
    )
    enabled = models.BooleanField(default=True)

    class Meta:
        ordering = ["provider__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "name"], name="model_name_unique_per_provider"
            )
        ]

    def __str__(self) -> str:
        return f"{self.label or self.name} ({self.provider.name})"

    def clean(self) -> None:
        """Admin edits of `limits` are checked against the capability table, as TOML loads are,
        and a poll path must stay on the provider's base URL (where its key may be sent)."""
        base_url = self.provider.base_url if self.provider_id else "https://provider.invalid"
        try:
            check_poll_path(base_url, self.poll_path)
        except ValueError:
            shown = repr(self.poll_path[:100])
            message = localize(texts.job_text(texts.NOT_A_PATH, path=shown))
            raise ValidationError({"poll_path": message}) from None
        if not isinstance(self.limits, dict):
            raise ValidationError({"limits": 'Limits must be a JSON object, e.g. {"n_max": 4}.'})
        try:
            capabilities_for(self.dialect, self.name, self.limits or None)
        except ValueError as error:
            raise ValidationError({"limits": str(error)}) from error

    @property
    def display_name(self) -> str:
        return self.label or self.name

    def capabilities(self) -> Capabilities:
        return capabilities_for(
            self.dialect, self.name, self.limits or None, credits_per_image=self.credits_per_image
        )

    def endpoint(self) -> Endpoint:
        return Endpoint(
            base_url=self.provider.base_url.rstrip("/"),
            api_key=self.provider.api_key(),
            poll_path=self.poll_path,
        )

    def price_table(self) -> dict[tuple[str, str], int]:
        """The admins' prices for this model, as `jobs.capabilities.credits_for` reads them."""
        return {
            (row.quality, row.tier): row.credits_per_image
            for row in Price.objects.filter(model=self)
        }

    def estimate_credits(self, n: int, params: dict) -> int:
        """What a request of n images with these parameters costs: the estimate a form shows and
        the amount the ledger reserves, from one calculation."""
        return credits_for(
            self.capabilities(),
            n,
            params.get("size"),
            params.get("quality"),
            params.get("resolution"),
            prices=self.price_table(),
        )


class Price(models.Model):
    """Credits per image of one model, for a quality and a size or resolution tier.

    A blank quality or tier matches any; the most specific row wins (see
    `jobs.capabilities.price_from_table`); with no matching row the model's default applies.
    """

    model = models.ForeignKey(ProviderModel, on_delete=models.CASCADE, related_name="prices")
    quality = models.CharField(max_length=20, blank=True, help_text="Blank: any quality.")
    tier = models.CharField(
        max_length=20,
        blank=True,
        help_text="A size such as 1536x1024 or a resolution such as 2k. Blank: any.",
    )
    credits_per_image = models.PositiveIntegerField()

    class Meta:
        ordering = ["model", "quality", "tier"]
        constraints = [
            models.UniqueConstraint(
                fields=["model", "quality", "tier"], name="one_price_per_model_quality_tier"
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.model.name} · {self.quality or 'any quality'} · {self.tier or 'any size'}: "
            f"{self.credits_per_image} credits"
        )
