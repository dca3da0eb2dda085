"""`/people/new/`: a staff admin adds a person and sees their first password, once; and the
password change form, which also ends the "first password" state."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpResponse
from django.shortcuts import render

from studio import people
from studio.access import require_staff
from studio.forms.people import PersonForm
from studio.http import AuthenticatedHttpRequest


@login_required
def person_add(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_staff(request.user)
    form = PersonForm(request.POST or None)
    added = None
    if request.method == "POST" and form.is_valid():
        try:
            added = people.add_person(form.cleaned_data["username"], form.cleaned_data["email"])
        except people.PeopleError as refusal:
            form.add_refusal(refusal)
        else:
            form = PersonForm()
    status = 400 if form.errors else 200
    response = render(
        request, "studio/person_add.html", {"form": form, "added": added}, status=status
    )
    if added:
        response["Cache-Control"] = "no-store"  # the one page that shows the first password
    return response


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's form; a successful change also ends the person's first-password state."""

    request: AuthenticatedHttpRequest  # the view asks for a login first

    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        response = super().form_valid(form)
        people.first_password_changed(self.request)
        return response
