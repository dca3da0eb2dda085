"""`python manage.py sandbox`: run the provider emulator in the foreground."""

from __future__ import annotations

import argparse

from django.core.management.base import BaseCommand, CommandError, CommandParser

try:
    import jobs.sandbox as sandbox
except ImportError:  # an installation without the emulator (the production image)
    sandbox = None


class Command(BaseCommand):
    help = (sandbox and sandbox.__doc__) or "Run the sandbox image provider."

    def create_parser(self, prog_name: str, subcommand: str, **kwargs) -> CommandParser:
        # Keep the docstring's line breaks: the directive list is unreadable when re-wrapped.
        kwargs["formatter_class"] = argparse.RawDescriptionHelpFormatter
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="interface to listen on")
        parser.add_argument("--port", type=int, default=8765, help="port (0 = any free port)")
        parser.add_argument(
            "--delay", type=float, default=0.0, help="seconds added before every answer"
        )
        parser.add_argument(
            "--task-seconds",
            type=float,
            default=6.0,
            help="how long asynchronous tasks stay pending/running",
        )
        parser.add_argument("--quiet", action="store_true", help="do not log each request")

    def handle(self, *args, **options) -> None:
        if sandbox is None:
            raise CommandError(
                "The sandbox is not part of this installation: it ships only with a checkout "
                "(jobs/sandbox/), for tests, benchmarks and `make run`."
            )
        server = sandbox.SandboxServer(
            host=options["host"],
            port=options["port"],
            delay=options["delay"],
            task_seconds=options["task_seconds"],
            verbose=not options["quiet"],
        )
        self.stdout.write(f"Sandbox provider listening on {server.base_url} (Ctrl-C to stop)")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            self.stdout.write("Sandbox stopped.")
