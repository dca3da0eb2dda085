"""Personal API tokens: made, checked on every request, revoked.

A token never grants more than its owner has now: each request re-checks the account, the
workspace role and the models, so losing any of them disables what depended on it at once.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from jobs.models import ProviderModel
from studio.access import team_role
from studio.api.errors import ApiError, forbidden, invalid, unauthorized
from studio.models import ApiToken, Role, Team

TOKEN_PREFIX = "sk-studio-"  # noqa: S105 (a visible prefix, not a secret)
CREATORS = (Role.OWNER, Role.EDITOR)  # who may create images in a team
LAST_USED_PRECISION = timedelta(seconds=60)  # "last used" is written at most once a minute


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(
    user,
    *,
    name: str,
    team: Team | None = None,
    models: Iterable[ProviderModel] = (),
    expires_at: datetime | None = None,
    credits_cap: int | None = None,
) -> tuple[ApiToken, str]:
    """A new token and its secret, which the caller shows once (only its hash is kept)."""
    if team is not None and team_role(user, team) not in CREATORS:
        raise ValueError(f"{user} may not create images in the team {team}.")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name.strip() or "API token",
        token_hash=hash_token(secret),
        prefix=secret[: len(TOKEN_PREFIX) + 4],
        team=team,
        expires_at=expires_at,
        credits_cap=credits_cap,
    )
    token.allowed_models.set(models)
    return token, secret


def revoke_token(token: ApiToken) -> bool:
    """Stop a token from working; False when it was already revoked."""
    return bool(
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    )


def authenticate(authorization: str) -> ApiToken:
    """The token named by an `Authorization: Bearer …` header, if it may still be used.

    Raises ApiError: 401 for a missing, unknown, revoked or expired token or a disabled account;
    403 when the owner may no longer create images in the token's team.
    """
    scheme, _, secret = (authorization or "").partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret:
        raise unauthorized("Send your studio API token as 'Authorization: Bearer <token>'.")
    found = ApiToken.objects.select_related("user", "team").filter(token_hash=hash_token(secret))
    token = found.first()
    if token is None:
        raise unauthorized("Incorrect API token. Create one at /account/tokens/.")
    now = timezone.now()
    if token.revoked_at is not None:
        raise unauthorized(f"The API token '{token.name}' was revoked.")
    if token.expires_at is not None and token.expires_at <= now:
        raise unauthorized(f"The API token '{token.name}' expired on {token.expires_at:%Y-%m-%d}.")
    if not token.user.is_active:
        raise unauthorized("The account this API token belongs to is disabled.")
    if token.team is not None and team_role(token.user, token.team) not in CREATORS:
        raise forbidden(
            f"This token puts images in the team '{token.team}', where its owner may no longer "
            "create images."
        )
    if token.last_used_at is None or token.last_used_at < now - LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


# --- models -------------------------------------------------------------------------------------


def enabled_models() -> QuerySet[ProviderModel]:
    return ProviderModel.objects.filter(enabled=True, provider__enabled=True).select_related(
        "provider"
    )


def usable_models(token: ApiToken) -> list[ProviderModel]:
    """The enabled models this token may use (all of them when it names none)."""
    models = enabled_models()
    chosen = set(token.allowed_models.values_list("pk", flat=True))
    return [model for model in models if not chosen or model.pk in chosen]


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
        raise invalid("Choose a model: 'model' is required (see GET /v1/models).", "model")
    requested = requested.strip()
    everything = ProviderModel.objects.select_related("provider")
    provider_name, slash, model_name = requested.partition("/")
    if slash:
        candidates = list(everything.filter(provider__name=provider_name, name=model_name))
        if not candidates:  # a model name may itself contain a slash
            candidates = list(everything.filter(name=requested))
    else:
        candidates = list(everything.filter(name=requested))
    enabled = [m for m in candidates if m.enabled and m.provider.enabled]
    if len(enabled) > 1:
        choices = ", ".join(full_model_id(m) for m in enabled)
        raise invalid(
            f"More than one provider serves '{requested}'; name one of: {choices}.",
            "model",
            "ambiguous_model",
        )
    if enabled:
        return enabled[0]
    if candidates:
        raise forbidden(
            f"The model '{requested}' is disabled by an administrator.",
            code="model_not_allowed",
            param="model",
        )
    raise ApiError(
        404,
        f"The model '{requested}' does not exist (see GET /v1/models).",
        param="model",
        code="model_not_found",
    )


def model_for_token(token: ApiToken, requested: object) -> ProviderModel:
    model = find_model(requested)
    chosen = set(token.allowed_models.values_list("pk", flat=True))
    if chosen and model.pk not in chosen:
        raise forbidden(
            f"This API token may not use the model '{requested}'.",
            code="model_not_allowed",
            param="model",
        )
    return model
