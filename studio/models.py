"""Teams (who works together, in which role), their shared library of images, and collections."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    EDITOR = "editor", _("Editor")
    VIEWER = "viewer", _("Viewer")


class Team(models.Model):
    name = models.CharField(max_length=100)
    slug = models.SlugField(unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    members: models.ManyToManyField[User, Membership] = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="teams"
    )
    allowed_models = models.ManyToManyField(
        "jobs.ProviderModel",
        blank=True,
        related_name="+",
        help_text="The models members may use in this team's workspace. None chosen: every model.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.EDITOR)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="one_membership_per_team")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.team} ({self.role})"


# --- The team library ------------------------------------------------------------------------
#
# A library holds references, never copies: a LibraryItem points at an Image (and so at its stored
# file) from a team. Images made in a team get their item from `studio.signals`; people share their
# personal images in with `studio.library.share_images`. Removing an item never deletes the image.


class Tag(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(max_length=50)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["team", "name"], name="one_tag_name_per_team")
        ]

    def __str__(self) -> str:
        return self.name


class LibraryItem(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="library_items")
    image = models.ForeignKey("jobs.Image", on_delete=models.CASCADE, related_name="library_items")
    # Who put it in (kept when they leave the team: their images stay with the team).
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="items")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "image"], name="one_library_item_per_image")
        ]
        indexes = [models.Index(fields=["team", "-added_at", "-id"], name="library_team_recent")]

    def __str__(self) -> str:
        return f"{self.image_id} in {self.team}"


class Collection(models.Model):
    """A named board: a team's (a selection of its library items) or one person's own.

    A team collection has `team` and holds `items`. A personal collection has `owner` instead and
    holds `images` straight away: its images are the person's own, in no team's library, so there is
    no library item to point at. Which of the two a collection is decides nothing else: browsing,
    access (`studio.access.get_collection_for`) and landing results go through one path each.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.CASCADE, related_name="collections"
    )
    # A personal collection goes with its person (studio.removal.remove_person keeps only what a
    # team holds).
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="personal_collections",
    )
    name = models.CharField(max_length=100)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    items = models.ManyToManyField(LibraryItem, blank=True, related_name="collections")
    images = models.ManyToManyField("jobs.Image", blank=True, related_name="personal_collections")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["team", "name"], name="one_collection_name_per_team"),
            # NULL teams never clash in the constraint above, so personal names need their own.
            models.UniqueConstraint(
                fields=["owner", "name"],
                condition=models.Q(team__isnull=True),
                name="one_personal_collection_name_per_owner",
            ),
            models.CheckConstraint(
                condition=models.Q(team__isnull=False, owner__isnull=True)
                | models.Q(team__isnull=True, owner__isnull=False),
                name="collection_of_a_team_or_a_person",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_personal(self) -> bool:
        return self.team_id is None

    def label(self) -> str:
        """ "Personal: Moodboard" or "Design: Best", where both kinds are offered together."""
        place = _("Personal") if self.is_personal else self.team
        return f"{place}: {self.name}"


class Favourite(models.Model):
    """A person's star on an image; private to them."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="favourites"
    )
    image = models.ForeignKey("jobs.Image", on_delete=models.CASCADE, related_name="favourites")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "image"], name="one_star_per_image")]

    def __str__(self) -> str:
        return f"{self.user} starred {self.image_id}"


class Theme(models.TextChoices):
    """The colour scheme a person chose; empty follows the system's (prefers-color-scheme)."""

    SYSTEM = "", _("System")
    LIGHT = "light", _("Light")
    DARK = "dark", _("Dark")


class Profile(models.Model):
    """A person's own settings: the language pages speak and the time zone times show in.

    Empty means "not chosen": the browser's Accept-Language and settings.TIME_ZONE decide.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    # No `choices` here: settings.LANGUAGES decides (checked by the forms), not a migration.
    language = models.CharField(_("language"), max_length=10, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)
    # The studio page's dock as the person last used it (model, workspace, collection and the
    # model's options), so it follows them to another browser: see studio.preferences.
    dock_settings = models.JSONField(_("studio settings"), default=dict, blank=True)
    theme = models.CharField(
        _("theme"), max_length=5, choices=Theme.choices, default=Theme.SYSTEM, blank=True
    )
    # Set when a staff admin adds the person with a first password (studio.people.add_person):
    # until they choose their own, every page sends them to the password change form.
    must_change_password = models.BooleanField(_("must change password"), default=False)

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return f"{self.user} ({self.language or '-'}, {self.time_zone or '-'})"


# --- Personal API tokens ----------------------------------------------------------------------
#
# A token lets scripts and other apps use the studio through its OpenAI-compatible API
# (`studio/api/`). Only a hash is kept; what a token may do is re-checked against what its owner
# may do now on every request (`studio.api.tokens.authenticate`).


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    # sha256 of the whole token, hex; the token itself is shown once and never stored.
    token_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=20, help_text="The token's first characters, to tell it.")
    team = models.ForeignKey(
        Team,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        help_text="Where its images go; empty means the person's own history.",
    )
    # "Every model" is said here, not by an empty list below: models can be deleted and the list
    # emptied in admin, and a token limited to some models must not then reach all of them.
    all_models = models.BooleanField(
        _("All models"),
        default=True,
        help_text=_(
            "It may use every enabled model. Uncheck it to allow only the models chosen below."
        ),
    )
    allowed_models = models.ManyToManyField(
        "jobs.ProviderModel",
        blank=True,
        related_name="api_tokens",
        help_text=_(
            "The only models it may use when “All models” is unchecked; none chosen: no model."
        ),
    )
    expires_at = models.DateTimeField(null=True, blank=True)
    credits_cap = models.PositiveIntegerField(
        null=True, blank=True, help_text="The most credits its jobs may use in all; empty: no cap."
    )
    nearest_size = models.BooleanField(
        _("Nearest size"),
        default=False,
        help_text=_(
            "A size the model lacks is replaced by its closest allowed size instead of refused."
        ),
    )
    rate_limit_per_minute = models.PositiveIntegerField(
        default=60,
        help_text="Requests per minute (0: no limit); more are answered 429 with Retry-After.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.user})"


class ApiIdempotencyKey(models.Model):
    """The job a request with this `Idempotency-Key` made, so a retry returns it again."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="idempotency_keys")
    key = models.CharField(max_length=200)
    job = models.ForeignKey("jobs.Job", on_delete=models.CASCADE, related_name="+")
    # sha256 of what the request asked for (studio.api.submit.request_fingerprint): the key
    # replays only that request. Empty on keys kept from before it was recorded.
    fingerprint = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["token", "key"], name="one_job_per_idempotency_key")
        ]

    def __str__(self) -> str:
        return f"{self.key} -> job {self.job_id}"
