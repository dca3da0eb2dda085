from django.core.management.base import BaseCommand, CommandError, CommandParser

from jobs.providers_file import CatalogError, load_providers_file


class Command(BaseCommand):
    help = "Load providers and their models from a TOML file (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Path to the providers TOML file.")

    def handle(self, *args: object, **options: str) -> None:
        try:
            summary = load_providers_file(options["file"])
        except CatalogError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Loaded {options['file']}: {summary}"))
