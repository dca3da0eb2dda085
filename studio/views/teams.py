"""Teams: the list of a person's teams, a team's page, and (for owners) members and roles."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from studio import people, teams
from studio.access import MANAGERS, get_team_for, require_staff, user_teams
from studio.forms.library import MemberForm, RoleForm
from studio.forms.people import TeamForm
from studio.http import AuthenticatedHttpRequest
from studio.marks import mark_role_label
from studio.models import Role, Team
from studio.views.confirm import ask_to_confirm, is_confirmed


@login_required
@require_GET
def team_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _render_team_list(request, TeamForm() if request.user.is_staff else None)


@login_required
@require_POST
def team_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A staff admin creates a team with its first owner, who then adds everyone else."""
    require_staff(request.user)
    form = TeamForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            team = people.create_team(data["name"], data["slug"], data["owner"])
        except people.PeopleError as refusal:
            form.add_refusal(refusal)
        else:
            messages.success(
                request,
                _("Created %(team)s; %(name)s is its owner and can add members now.")
                % {"team": team, "name": data["owner"].strip()},
            )
            return redirect("team-list")
    return _render_team_list(request, form)


def _render_team_list(
    request: AuthenticatedHttpRequest, team_form: TeamForm | None
) -> HttpResponse:
    mine = list(user_teams(request.user).annotate(role=F("memberships__role")))
    for team in mine:
        mark_role_label(team, Role(team.role).label)
    context = {
        "teams": mine,
        "team_form": team_form,
        "all_teams": people.teams_with_owners() if team_form is not None else [],
    }
    status = 400 if team_form is not None and team_form.errors else 200
    return render(request, "studio/team_list.html", context, status=status)


@login_required
@require_GET
def team_detail(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    team, role = get_team_for(request.user, slug)
    return _render_team(request, team, role, MemberForm())


def _render_team(
    request: HttpRequest, team: Team, role: Role, member_form: MemberForm
) -> HttpResponse:
    context = {
        "team": team,
        "role": role,
        "is_owner": role == Role.OWNER,
        "members": teams.team_members(team),
        "member_form": member_form,
        "roles": Role.choices,
    }
    return render(
        request, "studio/team_detail.html", context, status=400 if member_form.errors else 200
    )


@login_required
@require_POST
def member_add(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    team, role = get_team_for(request.user, slug, *MANAGERS)
    form = MemberForm(request.POST)
    if form.is_valid():
        try:
            membership = teams.add_member(
                team, form.cleaned_data["username"], form.cleaned_data["role"]
            )
        except teams.MembershipError as refusal:
            form.add_error("username", str(refusal))
        else:
            role_name = membership.get_role_display().lower()
            messages.success(
                request,
                _("Added %(name)s as %(role)s.")
                % {"name": membership.user.get_username(), "role": role_name},
            )
            return redirect("team-detail", slug=team.slug)
    return _render_team(request, team, role, form)


@login_required
@require_POST
def member_role(request: AuthenticatedHttpRequest, slug: str, username: str) -> HttpResponse:
    team, _role = get_team_for(request.user, slug, *MANAGERS)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose owner, editor or viewer."))
        return redirect("team-detail", slug=team.slug)
    _report(
        request,
        lambda: teams.change_role(team, username, form.cleaned_data["role"]),
        _("%(name)s is now %(role)s.")
        % {"name": username, "role": Role(form.cleaned_data["role"]).label.lower()},
    )
    return redirect("team-detail", slug=team.slug)


@login_required
@require_POST
def member_remove(request: AuthenticatedHttpRequest, slug: str, username: str) -> HttpResponse:
    team, _role = get_team_for(request.user, slug, *MANAGERS)
    if not is_confirmed(request):
        question = _("Remove %(name)s from %(team)s?") % {"name": username, "team": team}
        return ask_to_confirm(request, question, reverse("team-detail", args=[team.slug]))
    _report(
        request,
        lambda: teams.remove_member(team, username),
        _("Removed %(name)s; the images they shared stay in the library.") % {"name": username},
    )
    return redirect("team-detail", slug=team.slug)


@login_required
@require_POST
def team_leave(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    team, _role = get_team_for(request.user, slug)
    if _report(
        request,
        lambda: teams.remove_member(team, request.user.get_username()),
        _("You left %(team)s; the images you shared stay in its library.") % {"team": team},
    ):
        return redirect("team-list")
    return redirect("team-detail", slug=team.slug)


def _report(request: HttpRequest, change: Callable[[], object], success: str) -> bool:
    """Make a membership change and say how it went, as a message on the next page."""
    try:
        change()
    except teams.MembershipError as refusal:
        messages.error(request, str(refusal))
        return False
    messages.success(request, success)
    return True
