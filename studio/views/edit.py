"""Edit: images (uploaded, or already in the studio) + a painted mask + a prompt -> an edit job."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from jobs.quota import QuotaExceeded, quota_status
from jobs.services import submit_edit
from studio.access import get_image_for
from studio.forms.edit import EditForm


@login_required
def edit(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = EditForm(request.POST, request.FILES, user=request.user)
    else:
        form = EditForm(user=request.user, initial=_initial(request))
    if request.method == "POST" and form.is_valid():
        try:
            job = submit_edit(
                form.job_spec(request.user), form.edit_inputs, form.cleaned_data["source"]
            )
        except QuotaExceeded as refusal:
            form.add_error(None, str(refusal))
        else:
            return redirect("job-detail", job_id=job.pk)
    team = form.cleaned_data.get("workspace") if form.is_bound else None
    context = {"form": form, "quota_lines": quota_status(user=request.user, team=team)}
    return render(request, "studio/edit.html", context)


def _initial(request: HttpRequest) -> dict:
    """ "Edit" on an image page opens this form with that image chosen (404 if not theirs)."""
    image_id = request.GET.get("image")
    if not image_id:
        return {}
    return {"source": [str(get_image_for(request.user, image_id).pk)]}
