"""A person's own images, newest first, browsed like a team library; share, download, delete."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from studio import library
from studio.access import ORGANISERS, teams_where, user_teams
from studio.forms.library import SelectionForm, ShareForm
from studio.views.library import browse_context, zip_response


def _render_history(request: HttpRequest, *, bulk_form=None) -> HttpResponse:
    context = browse_context(
        request, library.history_images(request.user), team=None, teams=user_teams(request.user)
    )
    share_teams = teams_where(request.user, *ORGANISERS)
    share_form = ShareForm(teams=share_teams)
    if isinstance(bulk_form, ShareForm):
        share_form = bulk_form
    context.update(
        share_form=share_form,
        next=request.get_full_path(),
        bulk_errors=bulk_form.errors.get("image") if bulk_form is not None else None,
    )
    return render(request, "studio/history.html", context, status=400 if bulk_form else 200)


def _back_to_history(form: SelectionForm) -> HttpResponse:
    return redirect(form.redirect_to(reverse("history")))


@login_required
@require_GET
def history(request: HttpRequest) -> HttpResponse:
    return _render_history(request)


@login_required
@require_POST
def history_share(request: HttpRequest) -> HttpResponse:
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
def history_download(request: HttpRequest) -> HttpResponse:
    form = SelectionForm(request.POST)
    if not form.is_valid():
        return _render_history(request, bulk_form=form)
    images = library.history_images(request.user).filter(pk__in=form.cleaned_data["image"])
    return zip_response(images, "my-images.zip")


@login_required
@require_POST
def history_delete(request: HttpRequest) -> HttpResponse:
    """Delete the selected images, except those a team library holds (the message says which)."""
    form = SelectionForm(request.POST)
    if not form.is_valid():
        return _render_history(request, bulk_form=form)
    outcome = library.delete_from_history(request.user, form.cleaned_data["image"])
    level = messages.WARNING if outcome.kept_in_team else messages.SUCCESS
    messages.add_message(request, level, outcome.message)
    return _back_to_history(form)
