"""Teams (who works together, in which role) and their shared library of images."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    EDITOR = "editor", "Editor"
    VIEWER = "viewer", "Viewer"


class Team(models.Model):
    name = models.CharField(max_length=100)
    slug = models.SlugField(unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="teams"
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
    """A board inside a team: a named selection of library items."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="collections")
    name = models.CharField(max_length=100)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    items = models.ManyToManyField(LibraryItem, blank=True, related_name="collections")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["team", "name"], name="one_collection_name_per_team")
        ]

    def __str__(self) -> str:
        return self.name


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
