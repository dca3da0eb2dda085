"""Set a person's, a team's or a default quota from the command line.

manage.py setquota --user alice --images-per-day 20
manage.py setquota --team design --credits-per-month 5000 --images-per-day none
manage.py setquota --default-user --images-per-month 300
manage.py setquota --user alice --clear      # back to the default for every person
manage.py setquota --team design             # only show the limits
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Model, Q

from jobs.models import QuotaLimit
from jobs.models.quota import LIMIT_FIELDS, team_model

UNLIMITED_WORDS = ("none", "unlimited")


class Command(BaseCommand):
    help = "Set quota limits for a person, a team, or the defaults, and print the result."

    def add_arguments(self, parser: CommandParser) -> None:
        subject = parser.add_mutually_exclusive_group(required=True)
        subject.add_argument("--user", metavar="USERNAME", help="A person's own limits.")
        subject.add_argument("--team", metavar="SLUG", help="A team's limits (slug or name).")
        subject.add_argument(
            "--default-user", action="store_true", help="The default for every person."
        )
        subject.add_argument(
            "--default-team", action="store_true", help="The default for every team."
        )
        for field in LIMIT_FIELDS:
            parser.add_argument(
                f"--{field.replace('_', '-')}",
                dest=field,
                metavar="N|none",
                help="A whole number, or 'none' for unlimited.",
            )
        parser.add_argument(
            "--clear",
            action="store_true",
            help="Remove a person's or team's own limits (the default applies again); "
            "for a default, make every limit unlimited.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        row = self._row(options)
        changes = {
            field: _parse_limit(field, options[field])
            for field in LIMIT_FIELDS
            if options.get(field) is not None
        }
        if options["clear"]:
            if changes:
                raise CommandError("--clear removes every limit; give it without limit values.")
            if row.pk:
                row.delete()
            row = self._row(options)
        elif changes:
            for field, value in changes.items():
                setattr(row, field, value)
            _save(row)
        self.stdout.write(_describe(row, options))

    def _row(self, options: dict[str, Any]) -> QuotaLimit:
        """The subject's own row; a new one starts from the default, so unnamed limits stay."""
        if options["default_user"] or options["default_team"]:
            scope = QuotaLimit.Scope.USER if options["default_user"] else QuotaLimit.Scope.TEAM
            return _default_row(scope) or QuotaLimit(scope=scope)
        if options["user"]:
            scope, subject = QuotaLimit.Scope.USER, {"user": _find_user(options["user"])}
        else:
            scope, subject = QuotaLimit.Scope.TEAM, {"team": _find_team(options["team"])}
        own = QuotaLimit.objects.filter(**subject).first()
        if own:
            return own
        default = _default_row(scope)
        copied = {field: getattr(default, field) for field in LIMIT_FIELDS} if default else {}
        return QuotaLimit(scope=scope, **subject, **copied)


def _default_row(scope: str) -> QuotaLimit | None:
    return QuotaLimit.objects.filter(scope=scope, user__isnull=True, team__isnull=True).first()


def _find_user(username: str) -> Any:
    people = get_user_model()
    user = people.objects.filter(**{people.USERNAME_FIELD: username}).first()
    if user is None:
        raise CommandError(f"No person has the username '{username}'.")
    return user


def _find_team(slug_or_name: str) -> Model:
    teams = team_model()._default_manager
    team = teams.filter(Q(slug=slug_or_name) | Q(name__iexact=slug_or_name)).first()
    if team is None:
        raise CommandError(f"No team has the slug or name '{slug_or_name}'.")
    return team


def _parse_limit(field: str, value: Any) -> int | None:
    option = f"--{field.replace('_', '-')}"
    if isinstance(value, str) and value.strip().lower() in UNLIMITED_WORDS:
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = -1
    if number < 0:
        raise CommandError(f"{option} must be a whole number (0 or more) or 'none'; got '{value}'.")
    return number


def _save(row: QuotaLimit) -> None:
    try:
        row.full_clean()
    except ValidationError as error:
        raise CommandError("; ".join(error.messages)) from error
    row.save()


def _describe(row: QuotaLimit, options: dict[str, Any]) -> str:
    if row.pk and not row.is_default:
        heading = f"Quota for {row.subject_label} (own limits):"
    elif row.is_default:
        heading = f"Quota: {row.subject_label}:"
    else:
        who = options["user"] or options["team"]
        heading = f"Quota for {who} (no own limits; the default applies):"
        row = _default_row(row.scope) or QuotaLimit(scope=row.scope)
    lines = [heading]
    for field in LIMIT_FIELDS:
        value = getattr(row, field)
        shown = "unlimited" if value is None else f"{value:,}"
        lines.append(f"  {field.replace('_', ' ')}: {shown}")
    return "\n".join(lines)
