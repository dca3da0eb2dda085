"""`/account/tokens/`: a person's API tokens — list, create (shown once), revoke."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from studio.api.tokens import create_token, get_token_for, revoke_token, tokens_of
from studio.forms.tokens import TokenForm
from studio.http import AuthenticatedHttpRequest
from studio.views.confirm import ask_to_confirm, is_confirmed


@login_required
def token_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None, user=request.user)
    secret = None
    if request.method == "POST" and form.is_valid():
        _token, secret = create_token(request.user, **form.token_fields())
        form = TokenForm(user=request.user)
    context = {"form": form, "tokens": tokens_of(request.user), "secret": secret}
    response = render(request, "studio/tokens.html", context)
    if secret:
        response["Cache-Control"] = "no-store"  # the one page that shows the token
    return response


@login_required
@require_POST
def token_revoke(request: AuthenticatedHttpRequest, token_id: int) -> HttpResponse:
    token = get_token_for(request.user, token_id)
    if not token.revoked_at and not is_confirmed(request):
        question = _("Revoke the token “%(name)s”?") % {"name": token.name}
        return ask_to_confirm(request, question, reverse("token-list"))
    if revoke_token(token):
        messages.success(request, _("The token '%(name)s' is revoked.") % {"name": token.name})
    return redirect("token-list")
