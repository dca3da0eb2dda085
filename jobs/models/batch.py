"""A batch: several jobs submitted at once. Either one job per prompt with the same settings, or a
comparison: one prompt, one job per model, shown side by side."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class BatchKind(models.TextChoices):
    BATCH = "batch", _("Batch")
    COMPARE = "compare", _("Comparison")


class Batch(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="batches"
    )
    kind = models.CharField(max_length=10, choices=BatchKind.choices, default=BatchKind.BATCH)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "batches"

    def __str__(self) -> str:
        return f"{self.kind} {self.id}"
