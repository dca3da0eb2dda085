"""The library service: browsing images (history and team libraries alike) and organising them.

`browse_images` is the one browsing path: it takes a base queryset of images (a person's own, or a
team's library) and the filters a person chose, and returns one page. Its number of SQL queries does
not depend on the page size or number: related rows are joined, the favourite star is an EXISTS, and
the page's ids are read as `size + 1` rows (a "has next" pager), so there is no COUNT(*) over the
whole library and deep pages skip over index entries, not over joined rows.

Everything else here changes the library: add and share (references, never copies of the file),
file a finished job's image where it was asked to land, tag, favourite, remove from a team.
Beside it: collections (studio/collecting.py), deleting from a history
(studio/history_deletion.py), zip downloads (studio/downloads.py).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet

from jobs.models import Image, Job
from studio.access import ORGANISERS, teams_where, visible_images
from studio.models import Collection, Favourite, LibraryItem, Tag, Team

if TYPE_CHECKING:
    from django.contrib.auth.models import User

MAX_PAGE_SIZE = 200
MAX_BULK_IMAGES = 500


# --- Browsing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class LibraryFilters:
    """What a person narrowed the grid to; empty values mean "any"."""

    search: str = ""
    creator_id: int | None = None
    model_name: str = ""
    provider_name: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    origin: str = ""  # ImageOrigin value
    favourites_only: bool = False
    collection: Collection | None = None
    tag: Tag | None = None


Row = TypeVar("Row")


@dataclass
class LibraryPage(Generic[Row]):
    """One page of rows (thumbnails, or My jobs' jobs) from a "has next" pager; shaped like
    Django's Page where templates need it."""

    object_list: list[Row]
    number: int
    size: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


def history_images(user: User) -> QuerySet[Image]:
    """What a person made, wherever they made it (uploads for edits are inputs, not results)."""
    return Image.objects.filter(owner=user, job__isnull=False).order_by("-created_at", "-index")


def team_library_images(team: Team) -> QuerySet[Image]:
    """The team's library, newest arrival first (an image shared in today is news to the team).

    Ordered by the library item, so the database walks the (team, added_at, id) index instead of
    sorting every image of the team to find one page.
    """
    return (
        Image.objects.filter(library_items__team=team)
        .annotate(added_at=F("library_items__added_at"), item_id=F("library_items__id"))
        .order_by("-added_at", "-item_id")
    )


def browse_images(
    base: QuerySet[Image],
    *,
    viewer: User,
    filters: LibraryFilters,
    page_number: int = 1,
    page_size: int = 60,
) -> LibraryPage[Image]:
    """One page of `base` (in its own order, newest first), narrowed by `filters`, with stars.

    Two queries whatever the page: the ids of the page (index-only work, even deep in the library),
    then those rows with their job and creator.
    """
    page_size = max(1, min(page_size, MAX_PAGE_SIZE))
    page_number = max(1, page_number)
    if not base.query.order_by:
        base = base.order_by("-created_at", "-index")
    offset = (page_number - 1) * page_size
    matching = _apply_filters(base, filters, viewer)
    page_ids = list(matching.values_list("pk", flat=True)[offset : offset + page_size + 1])
    rows = (
        Image.objects.filter(pk__in=page_ids[:page_size])
        .select_related("job", "owner")
        .annotate(is_favourite=_is_favourite(viewer))
    )
    by_id = {image.pk: image for image in rows}
    images: list[Image] = [by_id[pk] for pk in page_ids[:page_size] if pk in by_id]
    return LibraryPage(images, page_number, page_size, has_next=len(page_ids) > page_size)


def _is_favourite(viewer: User) -> Exists:
    return Exists(Favourite.objects.filter(user=viewer, image=OuterRef("pk")))


def _apply_filters(
    images: QuerySet[Image], filters: LibraryFilters, viewer: User
) -> QuerySet[Image]:
    if filters.favourites_only:
        images = images.filter(_is_favourite(viewer))
    if filters.creator_id:
        images = images.filter(owner_id=filters.creator_id)
    if filters.model_name:
        images = images.filter(job__model_name=filters.model_name)
    if filters.provider_name:
        images = images.filter(job__provider_name=filters.provider_name)
    if filters.origin:
        images = images.filter(origin=filters.origin)
    if filters.date_from:
        images = images.filter(created_at__date__gte=filters.date_from)
    if filters.date_to:
        images = images.filter(created_at__date__lte=filters.date_to)
    # Team collections and tags belong to library items; EXISTS keeps one row per image.
    if filters.collection:
        images = images.filter(in_collection(filters.collection))
    if filters.tag:
        images = images.filter(
            Exists(LibraryItem.objects.filter(image=OuterRef("pk"), tags=filters.tag))
        )
    if filters.search.strip():
        images = search_prompts(images, filters.search)
    return images


def in_collection(collection: Collection) -> Exists:
    """Whether an image is in `collection`: through its library item in a team's, directly in a
    person's own (whose images are in no library)."""
    if collection.is_personal:
        members: QuerySet[Any] = Collection.images.through.objects.filter(
            image_id=OuterRef("pk"), collection=collection
        )
    else:
        members = LibraryItem.objects.filter(image=OuterRef("pk"), collections=collection)
    return Exists(members)


def search_prompts(images: QuerySet[Image], text: str) -> QuerySet[Image]:
    """PostgreSQL full-text search (stemmed: "cats" finds "cat"); elsewhere each word contained."""
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector

        # One vector per column, as indexed by jobs/migrations/0002_prompt_search_indexes.py.
        query = SearchQuery(text, search_type="websearch", config="english")
        jobs = Job.objects.annotate(found=SearchVector("prompt", config="english")).filter(
            found=query
        )
        revised = Image.objects.annotate(
            found=SearchVector("revised_prompt", config="english")
        ).filter(found=query)
        return images.filter(Q(job__in=jobs.values("pk")) | Q(pk__in=revised.values("pk")))
    for word in text.split():
        images = images.filter(Q(job__prompt__icontains=word) | Q(revised_prompt__icontains=word))
    return images


# --- Putting images in, organising them -------------------------------------------------------


def add_to_library(team: Team, images: Iterable[Image], *, added_by: User | None) -> int:
    """Reference `images` from the team's library (no file is copied); returns how many are new."""
    image_ids = [image.pk for image in images]
    already = set(
        LibraryItem.objects.filter(team=team, image_id__in=image_ids).values_list(
            "image_id", flat=True
        )
    )
    new_items = [
        LibraryItem(team=team, image_id=image_id, added_by=added_by)
        for image_id in image_ids
        if image_id not in already
    ]
    LibraryItem.objects.bulk_create(new_items, ignore_conflicts=True)
    return len(new_items)


def share_images(user: User, team: Team, image_ids: Sequence) -> int:
    """Share the person's own images into a team; returns how many were new there."""
    own_images = Image.objects.filter(owner=user, pk__in=image_ids)
    return add_to_library(team, own_images, added_by=user)


def library_items(team: Team, image_ids: Sequence) -> QuerySet[LibraryItem]:
    return LibraryItem.objects.filter(team=team, image_id__in=image_ids)


def collect_result(collection: Collection, image: Image) -> None:
    """A finished job's image lands in the collection it was submitted with: a team's (and so in
    the team's library) or its owner's own."""
    if collection.is_personal:
        # Checked at submit (submit.check_submit); this keeps another person's image out even so.
        if image.owner_id == collection.owner_id:
            collection.images.add(image)
        return
    assert collection.team is not None, "a collection is a person's or a team's"
    add_to_library(collection.team, [image], added_by=image.owner)
    collection.items.add(*library_items(collection.team, [image.pk]))


def selected_images(images: QuerySet[Image], image_ids: Sequence) -> QuerySet[Image]:
    """The chosen images among `images` (a history or a team library): nothing else."""
    return images.filter(pk__in=image_ids)


@dataclass(frozen=True)
class Lineage:
    sources: QuerySet[Image]
    derivatives: QuerySet[Image]


def lineage(viewer: User, image: Image) -> Lineage:
    """What the image was made from and what was made from it, as far as the viewer may see."""
    visible = visible_images(viewer)
    return Lineage(
        sources=visible.filter(derivatives=image).order_by("created_at"),
        derivatives=visible.filter(sources=image).order_by("created_at"),
    )


@dataclass(frozen=True)
class ImageLibraryPanel:
    is_favourite: bool
    library_items: QuerySet[LibraryItem]  # in the viewer's own teams only
    share_teams: QuerySet[Team]  # where the viewer may still share it


def image_library_panel(viewer: User, image: Image) -> ImageLibraryPanel:
    """The image page's library part: the viewer's star, the libraries of the viewer's teams
    holding it (another team's tags are its business), and the teams it could be shared to."""
    return ImageLibraryPanel(
        is_favourite=is_favourite(viewer, image),
        library_items=LibraryItem.objects.filter(image=image, team__memberships__user=viewer)
        .select_related("team")
        .prefetch_related("tags", "collections"),
        share_teams=teams_where(viewer, *ORGANISERS).exclude(library_items__image=image),
    )


def tag_images(team: Team, image_ids: Sequence, tag_name: str) -> int:
    tag, _created = Tag.objects.get_or_create(team=team, name=tag_name.strip().lower())
    items = list(library_items(team, image_ids))
    tag.items.add(*items)
    return len(items)


def untag_images(team: Team, image_ids: Sequence, tag_name: str) -> int:
    tag = Tag.objects.filter(team=team, name=tag_name.strip().lower()).first()
    if tag is None:
        return 0
    items = list(library_items(team, image_ids))
    tag.items.remove(*items)
    return len(items)


def is_favourite(user: User, image: Image) -> bool:
    return Favourite.objects.filter(user=user, image=image).exists()


def toggle_favourite(user: User, image: Image) -> bool:
    """Star or unstar; returns whether the image is now a favourite."""
    deleted, _by_model = Favourite.objects.filter(user=user, image=image).delete()
    if deleted:
        return False
    Favourite.objects.get_or_create(user=user, image=image)
    return True


# --- Taking images out ------------------------------------------------------------------------


def remove_from_team(items: QuerySet[LibraryItem]) -> int:
    """Take items out of a team's library (see access.removable_items); the images stay."""
    removed = items.count()
    items.delete()
    return removed
