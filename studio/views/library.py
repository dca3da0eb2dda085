"""A team's library: the grid, bulk actions on selected images, collections, and the star.

Every view first asks `studio.access` who the person is to the team (404 for outsiders, 403 for a
role that may not act), then makes one call into `studio.library`.
"""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from studio import collecting, library
from studio.access import (
    ORGANISERS,
    get_collection_for,
    get_image_for,
    get_team_for,
    removable_items,
)
from studio.browse import (
    browse_context,
    collected_message,
    delete_collection_question,
    deleted_message,
    taken_out_message,
    zip_response,
)
from studio.forms.library import (
    CollectForm,
    CollectionForm,
    SelectionForm,
    TagForm,
)
from studio.http import AuthenticatedHttpRequest
from studio.marks import mark_favourite
from studio.models import Collection, Role, Team
from studio.views.confirm import ask_to_confirm, is_confirmed


def _render_library(
    request: AuthenticatedHttpRequest,
    team: Team,
    role: Role,
    *,
    collection: Collection | None = None,
    bulk_form: SelectionForm | None = None,
) -> HttpResponse:
    context = browse_context(
        request,
        library.team_library_images(team),
        team=team,
        teams=[team],
        collection=collection,
    )
    context.update(
        team=team,
        role=role,
        collection=collection,
        can_organise=role in ORGANISERS,
        is_owner=role == Role.OWNER,
        next=request.get_full_path(),
        collect_form=CollectForm(collections=collecting.team_collections(team)),
        tag_form=TagForm(),
    )
    if bulk_form is not None:
        context["collect_form" if isinstance(bulk_form, CollectForm) else "tag_form"] = bulk_form
        context["bulk_errors"] = bulk_form.errors.get("image")
    status = 400 if bulk_form is not None else 200
    return render(request, "studio/library.html", context, status=status)


def _back_to_library(request: HttpRequest, form: SelectionForm, team: Team) -> HttpResponse:
    return redirect(form.redirect_to(reverse("team-library", args=[team.slug])))


@login_required
@require_GET
def team_library(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    team, role = get_team_for(request.user, slug)
    return _render_library(request, team, role)


@login_required
@require_POST
def library_collect(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    team, role = get_team_for(request.user, slug, *ORGANISERS)
    form = CollectForm(request.POST, collections=collecting.team_collections(team))
    if not form.is_valid():
        return _render_library(request, team, role, bulk_form=form)
    collection, added = collecting.add_to_collection(
        team,
        form.cleaned_data["image"],
        collection=form.collections.get(form.cleaned_data["collection"]),
        new_name=form.cleaned_data["new_collection"],
        added_by=request.user,
    )
    messages.success(request, collected_message(collection, added))
    return _back_to_library(request, form, team)


@login_required
@require_POST
def library_tag(request: AuthenticatedHttpRequest, slug: str, remove: bool = False) -> HttpResponse:
    team, role = get_team_for(request.user, slug, *ORGANISERS)
    form = TagForm(request.POST)
    if not form.is_valid():
        return _render_library(request, team, role, bulk_form=form)
    change = library.untag_images if remove else library.tag_images
    count = change(team, form.cleaned_data["image"], form.cleaned_data["tag_name"])
    if remove:
        text = ngettext(
            "Removed the tag from %(count)s image: “%(tag)s”.",
            "Removed the tag from %(count)s images: “%(tag)s”.",
            count,
        )
    else:
        text = ngettext(
            "Tagged %(count)s image: “%(tag)s”.", "Tagged %(count)s images: “%(tag)s”.", count
        )
    messages.success(request, text % {"count": count, "tag": form.cleaned_data["tag_name"]})
    return _back_to_library(request, form, team)


@login_required
@require_POST
def library_remove(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """Take images out of the team's library (their creator or an owner); the images stay."""
    team, role = get_team_for(request.user, slug)
    form = SelectionForm(request.POST)
    if not form.is_valid():
        return _render_library(request, team, role, bulk_form=form)
    items = removable_items(request.user, team, role, form.cleaned_data["image"])
    removed = library.remove_from_team(items)
    messages.success(
        request,
        ngettext(
            "Removed %(count)s image from the %(team)s library.",
            "Removed %(count)s images from the %(team)s library.",
            removed,
        )
        % {"count": removed, "team": team},
    )
    return _back_to_library(request, form, team)


@login_required
@require_POST
def library_download(request: AuthenticatedHttpRequest, slug: str) -> HttpResponseBase:
    team, role = get_team_for(request.user, slug)
    form = SelectionForm(request.POST)
    if not form.is_valid():
        return _render_library(request, team, role, bulk_form=form)
    images = library.selected_images(library.team_library_images(team), form.cleaned_data["image"])
    return zip_response(request, images, f"{team.slug}-images.zip")


# --- Collections ------------------------------------------------------------------------------


@login_required
@require_GET
def collection_list(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    team, role = get_team_for(request.user, slug)
    return _render_collections(request, team, role, CollectionForm(team=team))


def _render_collections(
    request: HttpRequest, team: Team, role: Role, form: CollectionForm
) -> HttpResponse:
    context = {
        "team": team,
        "role": role,
        "collections": collecting.team_collection_list(team),
        "form": form,
        "can_organise": role in ORGANISERS,
    }
    return render(
        request, "studio/collection_list.html", context, status=400 if form.errors else 200
    )


@login_required
@require_POST
def collection_create(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    team, role = get_team_for(request.user, slug, *ORGANISERS)
    form = CollectionForm(request.POST, team=team)
    if not form.is_valid():
        return _render_collections(request, team, role, form)
    collection = collecting.create_collection(
        team, form.cleaned_data["name"], created_by=request.user
    )
    return redirect("collection-detail", slug=team.slug, collection_id=collection.pk)


@login_required
@require_GET
def collection_detail(
    request: AuthenticatedHttpRequest, slug: str, collection_id: UUID
) -> HttpResponse:
    team, role = get_team_for(request.user, slug)
    collection = get_collection_for(request.user, collection_id, team=team)
    return _render_library(request, team, role, collection=collection)


@login_required
@require_POST
def collection_remove(
    request: AuthenticatedHttpRequest, slug: str, collection_id: UUID
) -> HttpResponse:
    """Take the selected images out of the collection (they stay in the library)."""
    team, role = get_team_for(request.user, slug, *ORGANISERS)
    collection = get_collection_for(request.user, collection_id, team=team)
    form = SelectionForm(request.POST)
    if not form.is_valid():
        return _render_library(request, team, role, collection=collection, bulk_form=form)
    removed = collecting.remove_from_collection(collection, form.cleaned_data["image"])
    messages.success(request, taken_out_message(collection, removed))
    return redirect("collection-detail", slug=team.slug, collection_id=collection.pk)


@login_required
@require_POST
def collection_delete(
    request: AuthenticatedHttpRequest, slug: str, collection_id: UUID
) -> HttpResponse:
    team, _role = get_team_for(request.user, slug, *ORGANISERS)
    collection = get_collection_for(request.user, collection_id, team=team)
    if not is_confirmed(request):
        return ask_to_confirm(
            request,
            delete_collection_question(collection),
            reverse("collection-detail", args=[team.slug, collection.pk]),
        )
    collecting.delete_collection(collection)
    messages.success(request, deleted_message(collection))
    return redirect("collection-list", slug=team.slug)


# --- The star ---------------------------------------------------------------------------------


@login_required
@require_POST
def image_favourite(request: AuthenticatedHttpRequest, image_id: UUID) -> HttpResponse:
    """Star or unstar an image the person can see; htmx swaps the button, others go back."""
    image = get_image_for(request.user, image_id)
    mark_favourite(image, library.toggle_favourite(request.user, image))
    if request.headers.get("HX-Request"):
        return render(request, "studio/partials/library_star.html", {"image": image})
    return redirect(
        SelectionForm(request.POST).redirect_to(reverse("image-detail", args=[image.pk]))
    )
