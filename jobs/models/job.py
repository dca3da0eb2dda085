"""A job is one request to an image API; an image is one stored file, made or uploaded."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jobs.models.catalog import ProviderModel
from jobs.parameters import param_label
from jobs.sentences import JobText
from jobs.stored_texts import stored_text


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
    CANCELED = "canceled", _("Canceled")


FINAL_STATUSES = (JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELED)


class JobKind(models.TextChoices):
    GENERATE = "generate", _("Generate")
    EDIT = "edit", _("Edit")
    # OpenAI's /images/variations: new images like a source image, without a prompt.
    VARIATION = "variation", _("Variation")


class Job(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # A leaver's jobs behind team images stay with the team (see studio.removal.remove_person).
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="jobs"
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
    # Set when the job came through the OpenAI-compatible API (studio/api/), for "via API (name)".
    api_token = models.ForeignKey(
        "studio.ApiToken", null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs"
    )
    # Where the results land besides the history (issue 11), and the batch the job belongs to.
    collection = models.ForeignKey(
        "studio.Collection", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    batch = models.ForeignKey(
        "jobs.Batch", null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs"
    )

    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    # The error, the note and the wait are sentences kept as codes (jobs/stored_texts.py): pages,
    # the API and logs render them from the code; `error_message`, `note` and `waiting_for` are
    # their English copies, for admins and SQL (and what a row from before codes shows).
    error_message = models.TextField(blank=True)
    error_code = models.CharField(max_length=40, blank=True)
    error_params = models.JSONField(default=dict, blank=True)
    error_details = models.JSONField(
        default=list, blank=True, help_text="The provider's own words, cleaned."
    )
    note = models.TextField(blank=True, help_text="Something worth saying that is not an error.")
    note_code = models.CharField(max_length=40, blank=True)
    note_params = models.JSONField(default=dict, blank=True)
    note_details = models.JSONField(default=list, blank=True)
    # When the next step (first run, retry, or poll) may happen, and who holds the job until when.
    due_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    # The hop that holds the job: every write a hop makes names it, so a hop that lost its lease
    # (its process froze, another took over) can change nothing.
    lease_owner = models.UUIDField(null=True, blank=True)
    waiting_for = models.CharField(
        max_length=200, blank=True, help_text="What a queued job waits for (a free slot)."
    )
    waiting_code = models.CharField(max_length=40, blank=True)
    waiting_params = models.JSONField(default=dict, blank=True)
    deadline_at = models.DateTimeField(null=True, blank=True)
    # When this attempt's request left for the provider: a hop that dies after this point is not
    # sent again (the provider may be working on it, and would bill twice); the job ends instead.
    sent_at = models.DateTimeField(null=True, blank=True)
    remote_task_id = models.CharField(max_length=200, blank=True)
    remote_status = models.CharField(max_length=50, blank=True)
    poll_count = models.PositiveIntegerField(default=0)
    # The retry window (jobs/providers/http.py): when transient failures began, and how many
    # polls answered "no such task".
    transient_since = models.DateTimeField(null=True, blank=True)
    poll_not_found = models.PositiveSmallIntegerField(default=0)

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

    # For templates, which cannot name JobStatus: the statuses are spelled only in JobStatus.
    @property
    def is_queued(self) -> bool:
        return self.status == JobStatus.QUEUED

    @property
    def is_running(self) -> bool:
        return self.status == JobStatus.RUNNING

    @property
    def is_succeeded(self) -> bool:
        return self.status == JobStatus.SUCCEEDED

    @property
    def error_text(self) -> JobText | None:
        """Why the job failed, as a sentence to render in the reader's language."""
        return stored_text(
            self.error_code, self.error_params, self.error_details, self.error_message
        )

    @property
    def note_text(self) -> JobText | None:
        return stored_text(self.note_code, self.note_params, self.note_details, self.note)

    @property
    def waiting_text(self) -> JobText | None:
        """What a queued job waits for (a free slot, the request rate)."""
        return stored_text(self.waiting_code, self.waiting_params, [], self.waiting_for)

    def provider_model(self) -> ProviderModel:
        """The model the job runs on; the pipeline fails a job whose model was deleted first."""
        if self.model is None:
            raise ProviderModel.DoesNotExist(f"The model {self.model_name} was removed.")
        return self.model

    def param_items(self) -> list[tuple[str, object]]:
        """The request parameters as (label, value), for pages."""
        return [(gettext(param_label(name)), value) for name, value in self.params.items()]


class ImageOrigin(models.TextChoices):
    GENERATED = "generated", _("Generated")
    EDITED = "edited", _("Edited")
    UPLOADED = "uploaded", _("Uploaded")


class Image(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # A leaver's images in team libraries stay with the team (see studio.removal.remove_person).
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="images"
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
        constraints = [
            # A job's result at one position is stored once, whatever happens to its hops.
            models.UniqueConstraint(
                fields=["job", "index"],
                condition=models.Q(job__isnull=False),
                name="image_unique_job_position",
            )
        ]
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="image_owner_recent"),
            models.Index(fields=["team", "-created_at"], name="image_team_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.origin} image {self.id}"

    @property
    def content_type(self) -> str:
        return f"image/{self.format.lower()}"
