"""Personal API tokens: made, checked on every request, revoked.

A token never grants more than its owner has now: each request re-checks the account, the
workspace role and the models, so losing any of them disables what depended on it at once.

Tokens share the logins' locks (django-axes, studio/login_throttle.py), by (account, address)
pair: a refused token is a failed login of its owner from the client's address, or, when it is
nobody's, of the pseudo-account TOKEN_GUESSES from that address. So wrong tokens stop token
guessing from that address, a person's own lock stops their tokens there, and only the address's
much higher limit stops everyone's tokens from it; a lock never stops other people's tokens.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.contrib.auth.signals import user_login_failed
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from jobs.models import ProviderModel
from studio.access import ORGANISERS, team_role
from studio.api.errors import ApiError, forbidden, invalid, unauthorized
from studio.login_throttle import AxesRequest, Lock, axes_request, lock_on
from studio.models import ApiToken, Team
from studio.usable_models import enabled_models, may_use

if TYPE_CHECKING:
    from django.contrib.auth.models import User

TOKEN_PREFIX = "sk-studio-"  # noqa: S105 (a visible prefix, not a secret)
LAST_USED_PRECISION = timedelta(seconds=60)  # "last used" is written at most once a minute


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(
    user: User,
    *,
    name: str,
    team: Team | None = None,
    models: Iterable[ProviderModel] = (),
    expires_at: datetime | None = None,
    credits_cap: int | None = None,
    nearest_size: bool = False,
) -> tuple[ApiToken, str]:
    """A new token and its secret, which the caller shows once (only its hash is kept).

    `models` limits it to those models; none given makes a token for every model (`all_models`),
    as "leave empty to allow every model" on the tokens page and `apitoken create` without
    `--models` ask.
    """
    if team is not None and team_role(user, team) not in ORGANISERS:
        raise ValueError(f"{user} may not create images in the team {team}.")
    models = list(models)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name.strip() or "API token",
        token_hash=hash_token(secret),
        prefix=secret[: len(TOKEN_PREFIX) + 4],
        team=team,
        all_models=not models,
        expires_at=expires_at,
        credits_cap=credits_cap,
        nearest_size=nearest_size,
    )
    token.allowed_models.set(models)
    return token, secret


def tokens_of(user: User) -> QuerySet[ApiToken]:
    """A person's tokens, for their tokens page."""
    return (
        ApiToken.objects.filter(user=user)
        .select_related("team")
        .prefetch_related("allowed_models__provider")
    )


def get_token_for(user: User, token_id: int) -> ApiToken:
    """One of the person's own tokens; anyone else's is not found."""
    token = ApiToken.objects.filter(user=user, pk=token_id).first()
    if token is None:
        raise Http404("No such token.")
    return token


def revoke_token(token: ApiToken) -> bool:
    """Stop a token from working; False when it was already revoked."""
    return bool(
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    )


def authenticate(request: HttpRequest) -> ApiToken:
    """The token named by the request's `Authorization: Bearer …` header, if it may still be used.

    Raises ApiError: 401 for a missing, unknown, revoked or expired token or a disabled account;
    403 when the owner may no longer create images in the token's team; 429 while the token's
    owner (or, for a token that is nobody's, token guessing) is locked from the client's address,
    or that whole address is, after too many failed logins or refused tokens.
    """
    scheme, _, secret = (request.headers.get("Authorization") or "").partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret:
        # Nothing was guessed, so nothing is counted: a client that sent no token learns nothing.
        raise unauthorized(
            gettext("Send your studio API token as 'Authorization: Bearer <token>'.")
        )
    attempt = _login_attempt(request)
    found = ApiToken.objects.select_related("user", "team").filter(token_hash=hash_token(secret))
    token = found.first()
    # Whose attempt this is: the token's owner, or nobody's guess. Checked and counted against
    # the same pair, so that a locked pair adds nothing more to its address's count.
    username = token.user.get_username() if token is not None else TOKEN_GUESSES
    lock = lock_on(attempt.axes_ip_address, username, attempt.axes_attempt_time)
    if lock:
        raise locked_out(lock)
    try:
        return _usable(token)
    except ApiError as refused:
        if refused.status == 401:  # a 403 comes with a genuine token: no guess to count
            _count_failure(attempt, username)
        raise


def _usable(token: ApiToken | None) -> ApiToken:
    if token is None:
        raise unauthorized(gettext("Incorrect API token. Create one at /account/tokens/."))
    now = timezone.now()
    if token.revoked_at is not None:
        raise unauthorized(gettext("The API token '%(name)s' was revoked.") % {"name": token.name})
    if token.expires_at is not None and token.expires_at <= now:
        raise unauthorized(
            gettext("The API token '%(name)s' expired on %(day)s.")
            % {"name": token.name, "day": f"{token.expires_at:%Y-%m-%d}"}
        )
    if not token.user.is_active:
        raise unauthorized(gettext("The account this API token belongs to is disabled."))
    if token.team is not None and team_role(token.user, token.team) not in ORGANISERS:
        raise forbidden(
            gettext(
                "This token puts images in the team '%(team)s', where its owner may no longer "
                "create images."
            )
            % {"team": token.team}
        )
    if token.last_used_at is None or token.last_used_at < now - LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


# --- the login throttle, for tokens -------------------------------------------------------------

# The account a refused token that is nobody's is recorded under in axes (shown in admin's "Access
# attempts"), with the client's address: guessing tokens from one address is one pair. No real
# username has a space or parentheses.
TOKEN_GUESSES = "(API token)"  # noqa: S105 (an account name, not a secret)


def _login_attempt(request: HttpRequest) -> AxesRequest:
    """The request as axes is shown it: its address, agent and path, without body or token.

    Axes keeps a failed attempt's GET and POST data. An API body holds prompts and images:
    reading it only to log a refused call would parse the whole upload, and neither prompts nor
    the token (the Authorization header) belong in a security log. Axes also marks a request
    that reaches the limit, and its middleware then swaps the answer for the login page's
    lockout page; the mark lands on this copy, so the API keeps answering in OpenAI's shape.
    """
    attempt = HttpRequest()
    attempt.method = request.method
    attempt.path = request.path
    attempt.path_info = request.path_info
    attempt.META = {
        name: value
        for name, value in request.META.items()
        if isinstance(value, str) and name != "HTTP_AUTHORIZATION"
    }
    # Sets the client's address the way the login throttle finds it (AXES_CLIENT_IP_CALLABLE:
    # studio.login_throttle.client_address, which honours STUDIO_TRUSTED_PROXIES).
    return axes_request(attempt)


def _count_failure(attempt: HttpRequest, username: str) -> None:
    # Django's own signal for a failed authentication, as contrib.auth.authenticate sends it:
    # axes records it against the (username, address) pair (and anyone listening hears of it).
    user_login_failed.send(sender=__name__, credentials={"username": username}, request=attempt)


def locked_out(lock: Lock) -> ApiError:
    if lock.whole_address:
        message = ngettext(
            "Too many failed attempts to sign in from this address (wrong API tokens or "
            "passwords). Try again in %(seconds)s second.",
            "Too many failed attempts to sign in from this address (wrong API tokens or "
            "passwords). Try again in %(seconds)s seconds.",
            lock.seconds,
        )
    else:
        message = ngettext(
            "Too many failed attempts to sign in with this account, or with wrong API tokens, "
            "from this address. Try again in %(seconds)s second.",
            "Too many failed attempts to sign in with this account, or with wrong API tokens, "
            "from this address. Try again in %(seconds)s seconds.",
            lock.seconds,
        )
    return ApiError(
        429,
        message % {"seconds": lock.seconds},
        type="rate_limit_error",
        code="too_many_failed_attempts",
        headers={"Retry-After": str(lock.seconds)},
    )


# --- models -------------------------------------------------------------------------------------


def full_model_id(model: ProviderModel) -> str:
    return f"{model.provider.name}/{model.name}"


def public_model_ids(models: list[ProviderModel]) -> dict[int, str]:
    """{model pk: id to show}: the bare name where only one enabled model has it."""
    names = [model.name for model in enabled_models()]
    return {
        model.pk: model.name if names.count(model.name) == 1 else full_model_id(model)
        for model in models
    }


def find_model(requested: object) -> ProviderModel:
    """The model a client named: `provider/name` always, a bare name when it is unambiguous."""
    if not isinstance(requested, str) or not requested.strip():
        raise invalid(gettext("Choose a model: 'model' is required (see GET /v1/models)."), "model")
    requested = requested.strip()
    everything = ProviderModel.objects.select_related("provider")
    provider_name, slash, model_name = requested.partition("/")
    if slash:
        candidates = list(everything.filter(provider__name=provider_name, name=model_name))
        if not candidates:  # a model name may itself contain a slash
            candidates = list(everything.filter(name=requested))
    else:
        candidates = list(everything.filter(name=requested))
    usable = set(
        enabled_models().filter(pk__in=[m.pk for m in candidates]).values_list("pk", flat=True)
    )
    enabled = [m for m in candidates if m.pk in usable]
    if len(enabled) > 1:
        choices = ", ".join(full_model_id(m) for m in enabled)
        raise invalid(
            gettext("More than one provider serves '%(model)s'; name one of: %(choices)s.")
            % {"model": requested, "choices": choices},
            "model",
            "ambiguous_model",
        )
    if enabled:
        return enabled[0]
    if candidates:
        raise forbidden(
            gettext("The model '%(model)s' is disabled by an administrator.")
            % {"model": requested},
            code="model_not_allowed",
            param="model",
        )
    raise ApiError(
        404,
        gettext("The model '%(model)s' does not exist (see GET /v1/models).")
        % {"model": requested},
        param="model",
        code="model_not_found",
    )


def model_for_token(token: ApiToken, requested: object) -> ProviderModel:
    model = find_model(requested)
    if not may_use(model, token=token):
        raise forbidden(
            gettext("This API token may not use the model '%(model)s'.") % {"model": requested},
            code="model_not_allowed",
            param="model",
        )
    if token.team is not None and not may_use(model, token.team):
        raise forbidden(
            # The words submit_job uses for the same refusal (studio.submit.check_model_allowed).
            gettext(
                "The model %(model)s is not available in the team '%(team)s'; "
                "choose one of its models."
            )
            % {"model": requested, "team": token.team},
            code="model_not_allowed",
            param="model",
        )
    return model
