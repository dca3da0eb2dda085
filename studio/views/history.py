"""A person's own images, newest first, browsed like a team library; share, collect, download,
delete. Their personal collections ("My collections") are that same page narrowed to one of them,
as a team's collections are its library page narrowed."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from studio import collecting, history_deletion, library
from studio.access import (
    ORGANISERS,
    get_collection_for,
    personal_collections,
    teams_where,
    user_teams,
)
from studio.browse import (
    browse_context,
    collected_message,
    delete_collection_question,
    delete_images_question,
    deleted_message,
    taken_out_message,
    zip_response,
)
from studio.forms.library import CollectForm, CollectionForm, SelectionForm, ShareForm
from studio.http import AuthenticatedHttpRequest
from studio.models import Collection
from studio.views.confirm import ask_to_confirm, is_confirmed


def _render_history(
    request: AuthenticatedHttpRequest,
    *,
    collection: Collection | None = None,
    bulk_form: SelectionForm | None = None,
) -> HttpResponse:
    own_collections = personal_collections(request.user)
    context = browse_context(
        request,
        library.history_images(request.user),
        team=None,
        teams=user_teams(request.user),
        collection=collection,
        personal=own_collections,
    )
    share_form = ShareForm(teams=teams_where(request.user, *ORGANISERS))
    collect_form = CollectForm(collections=own_collections)
    if isinstance(bulk_form, ShareForm):
        share_form = bulk_form
    elif isinstance(bulk_form, CollectForm):
        collect_form = bulk_form
    context.update(
        collection=collection,
        share_form=share_form,
        collect_form=collect_form,
        next=request.get_full_path(),
        bulk_errors=bulk_form.errors.get("image") if bulk_form is not None else None,
    )
    return render(request, "studio/history.html", context, status=400 if bulk_form else 200)


def _back_to_history(form: SelectionForm) -> HttpResponse:
    return redirect(form.redirect_to(reverse("history")))


@login_required
@require_GET
def history(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _render_history(request)


@login_required
@require_POST
def history_share(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Share the person's selected images into a team where they are an owner or editor."""
    form = ShareForm(request.POST, teams=teams_where(request.user, *ORGANISERS))
    if not form.is_valid():
        return _render_history(request, bulk_form=form)
    team = form.cleaned_data["team"]
    added = library.share_images(request.user, team, form.cleaned_data["image"])
    messages.success(
        request,
        ngettext(
            "Shared %(count)s image with %(team)s.", "Shared %(count)s images with %(team)s.", added
        )
        % {"count": added, "team": team},
    )
    return _back_to_history(form)


@login_required
@require_POST
def history_collect(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Put the selected images (only the person's own count) in one of their personal
    collections, or in a new one by name."""
    form = CollectForm(request.POST, collections=personal_collections(request.user))
    if not form.is_valid():
        return _render_history(request, bulk_form=form)
    collection, added = collecting.add_to_collection(
        None,
        form.cleaned_data["image"],
        collection=form.collections.get(form.cleaned_data["collection"]),
        new_name=form.cleaned_data["new_collection"],
        added_by=request.user,
    )
    messages.success(request, collected_message(collection, added))
    return _back_to_history(form)


@login_required
@require_POST
def history_download(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    form = SelectionForm(request.POST)
    if not form.is_valid():
        return _render_history(request, bulk_form=form)
    images = library.selected_images(
        library.history_images(request.user), form.cleaned_data["image"]
    )
    return zip_response(request, images, "my-images.zip")


@login_required
@require_POST
def history_delete(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Delete the selected images, except those a team library holds (the message says which)."""
    form = SelectionForm(request.POST)
    if not form.is_valid():
        return _render_history(request, bulk_form=form)
    ids = form.cleaned_data["image"]
    if not is_confirmed(request):
        return ask_to_confirm(
            request,
            delete_images_question(len(ids)),
            form.redirect_to(reverse("history")),
            names=history_deletion.history_prompts(request.user, ids),
        )
    outcome = history_deletion.delete_from_history(request.user, ids)
    level = messages.WARNING if outcome.kept_in_team else messages.SUCCESS
    messages.add_message(request, level, outcome.message)
    return _back_to_history(form)


# --- My collections ---------------------------------------------------------------------------


def _render_my_collections(request: AuthenticatedHttpRequest, form: CollectionForm) -> HttpResponse:
    context = {"collections": collecting.personal_collection_list(request.user), "form": form}
    return render(
        request, "studio/my_collections.html", context, status=400 if form.errors else 200
    )


@login_required
@require_GET
def my_collections(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _render_my_collections(request, CollectionForm(team=None, owner=request.user))


@login_required
@require_POST
def my_collection_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = CollectionForm(request.POST, team=None, owner=request.user)
    if not form.is_valid():
        return _render_my_collections(request, form)
    collection = collecting.create_collection(
        None, form.cleaned_data["name"], created_by=request.user
    )
    return redirect("my-collection-detail", collection_id=collection.pk)


@login_required
@require_GET
def my_collection_detail(request: AuthenticatedHttpRequest, collection_id: UUID) -> HttpResponse:
    collection = get_collection_for(request.user, collection_id)
    return _render_history(request, collection=collection)


@login_required
@require_POST
def my_collection_remove(request: AuthenticatedHttpRequest, collection_id: UUID) -> HttpResponse:
    """Take the selected images out of the collection (they stay in the history)."""
    collection = get_collection_for(request.user, collection_id)
    form = SelectionForm(request.POST)
    if not form.is_valid():
        return _render_history(request, collection=collection, bulk_form=form)
    removed = collecting.remove_from_collection(collection, form.cleaned_data["image"])
    messages.success(request, taken_out_message(collection, removed))
    return redirect("my-collection-detail", collection_id=collection.pk)


@login_required
@require_POST
def my_collection_delete(request: AuthenticatedHttpRequest, collection_id: UUID) -> HttpResponse:
    collection = get_collection_for(request.user, collection_id)
    if not is_confirmed(request):
        return ask_to_confirm(
            request,
            delete_collection_question(collection),
            reverse("my-collection-detail", args=[collection.pk]),
        )
    collecting.delete_collection(collection)
    messages.success(request, deleted_message(collection))
    return redirect("my-collections")
