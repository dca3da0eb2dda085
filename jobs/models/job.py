"""A job is one request to an image API; an image is one stored file, made or uploaded."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    CANCELED = "canceled", "Canceled"


FINAL_STATUSES = (JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELED)


class JobKind(models.TextChoices):
    GENERATE = "generate", "Generate"
    EDIT = "edit", "Edit"


class Job(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs"
    )
    team = models.ForeignKey(
        "studio.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs"
    )
    model = models.ForeignKey(
        "jobs.ProviderModel", null=True, on_delete=models.SET_NULL, related_name="jobs"
    )
    # Names as they were at submission, so the record survives an admin renaming or deleting.
    provider_name = models.CharField(max_length=100)
    model_name = models.CharField(max_length=100)
    kind = models.CharField(max_length=10, choices=JobKind.choices, default=JobKind.GENERATE)
    prompt = models.TextField()
    params = models.JSONField(default=dict, blank=True)
    n = models.PositiveSmallIntegerField(default=1)
    source_images = models.ManyToManyField("jobs.Image", blank=True, related_name="edit_jobs")
    mask = models.FileField(max_length=300, blank=True)

    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    error_message = models.TextField(blank=True)
    note = models.TextField(blank=True, help_text="Something worth saying that is not an error.")
    # When the next step (first run, retry, or poll) may happen, and who holds the job until when.
    due_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    deadline_at = models.DateTimeField(null=True, blank=True)
    remote_task_id = models.CharField(max_length=200, blank=True)
    remote_status = models.CharField(max_length=50, blank=True)
    poll_count = models.PositiveIntegerField(default=0)

    credits_reserved = models.PositiveIntegerField(default=0)
    images_produced = models.PositiveSmallIntegerField(default=0)
    usage = models.JSONField(default=dict, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="job_owner_recent"),
            models.Index(fields=["status", "due_at"], name="job_status_due"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.id} ({self.status})"

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES

    @property
    def is_async(self) -> bool:
        return bool(self.remote_task_id)

    def param_items(self) -> list[tuple[str, object]]:
        """The request parameters as (label, value), for pages."""
        return [(name.replace("_", " ").capitalize(), value) for name, value in self.params.items()]


class ImageOrigin(models.TextChoices):
    GENERATED = "generated", "Generated"
    EDITED = "edited", "Edited"
    UPLOADED = "uploaded", "Uploaded"


class Image(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="images"
    )
    team = models.ForeignKey(
        "studio.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="made_images"
    )
    job = models.ForeignKey(
        Job, null=True, blank=True, on_delete=models.CASCADE, related_name="images"
    )
    index = models.PositiveSmallIntegerField(default=0)
    origin = models.CharField(max_length=10, choices=ImageOrigin.choices)
    file = models.FileField(max_length=300)
    thumbnail = models.FileField(max_length=300)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    format = models.CharField(max_length=10)  # PNG, JPEG, WEBP
    bytes = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    revised_prompt = models.TextField(blank=True)
    sources = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="derivatives"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-index"]
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="image_owner_recent"),
            models.Index(fields=["team", "-created_at"], name="image_team_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.origin} image {self.id}"

    @property
    def content_type(self) -> str:
        return f"image/{self.format.lower()}"
