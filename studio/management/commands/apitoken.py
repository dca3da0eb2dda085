"""`python manage.py apitoken create|list|revoke`: personal API tokens from the command line.

`create` prints the token alone on its last line (only its hash is kept), so scripts can take it
with `tail -n 1`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from studio.api.errors import ApiError
from studio.api.tokens import create_token, find_model, revoke_token
from studio.models import ApiToken, Team


class Command(BaseCommand):
    help = "Create, list or revoke API tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="Make a token; prints it on the last line.")
        create.add_argument("--user", required=True, help="Whose token (username).")
        create.add_argument("--name", default="API token")
        create.add_argument("--workspace", help="A team slug; the person's own history if unset.")
        create.add_argument("--models", help="Comma-separated model ids (name or provider/name).")
        create.add_argument("--expires-days", type=int, help="Days until the token stops working.")
        create.add_argument("--credits-cap", type=int, help="The most credits it may spend.")
        create.add_argument(
            "--nearest-size",
            action="store_true",
            help="Answer a size the model lacks with its closest allowed size, not a 400.",
        )
        listing = actions.add_parser("list", help="List tokens (never their secrets).")
        listing.add_argument("--user", help="Only this person's tokens.")
        revoke = actions.add_parser("revoke", help="Stop a token from working.")
        revoke.add_argument("token_id", type=int, help="The id shown by `apitoken list`.")

    def handle(self, *args: object, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _create(self, options: dict) -> None:
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"No user named {options['user']!r}.")
        team = None
        if options["workspace"]:
            team = Team.objects.filter(slug=options["workspace"]).first()
            if team is None:
                raise CommandError(f"No team with the slug {options['workspace']!r}.")
        models = []
        for model_id in filter(None, (options["models"] or "").split(",")):
            try:
                models.append(find_model(model_id.strip()))
            except ApiError as error:
                raise CommandError(error.message) from error
        days = options["expires_days"]
        if days is not None and days < 1:
            raise CommandError("--expires-days must be 1 or more.")
        expires_at = timezone.now() + timedelta(days=days) if days else None
        try:
            token, secret = create_token(
                user,
                name=options["name"],
                team=team,
                models=models,
                expires_at=expires_at,
                credits_cap=options["credits_cap"],
                nearest_size=options["nearest_size"],
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Created token {token.pk} '{token.name}' for {user}. It is shown once:")
        self.stdout.write(secret)

    def _list(self, options: dict) -> None:
        tokens = ApiToken.objects.select_related("user", "team").order_by("pk")
        if options["user"]:
            tokens = tokens.filter(user__username=options["user"])
        for token in tokens:
            state = "revoked" if token.revoked_at else "active"
            if token.expires_at and token.expires_at <= timezone.now() and not token.revoked_at:
                state = "expired"
            used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
            self.stdout.write(
                f"{token.pk}\t{token.user}\t{token.name}\t{token.prefix}…\t"
                f"{token.team.slug if token.team else 'personal'}\t{state}\tlast used {used}"
            )

    def _revoke(self, options: dict) -> None:
        token = ApiToken.objects.filter(pk=options["token_id"]).first()
        if token is None:
            raise CommandError(f"No token with id {options['token_id']}.")
        if revoke_token(token):
            self.stdout.write(f"Revoked token {token.pk} '{token.name}' of {token.user}.")
        else:
            self.stdout.write(f"Token {token.pk} was already revoked.")
