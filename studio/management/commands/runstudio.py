"""`make run`: the whole studio on one machine, stopped together by one Ctrl-C.

Starts (as child processes) an embedded Redis when REDIS_URL does not answer, the sandbox provider,
a Celery worker, Celery beat and the web server, after migrating and registering the sandbox models.
The worker and beat are supervised: if one exits (a broker outage it could not ride out, a crash),
it is started again after a short pause, so jobs move again without anyone restarting by hand.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from studio.embedded_redis import embedded_redis_command, redis_answers

SANDBOX_PROVIDERS = Path(settings.BASE_DIR) / "jobs" / "sandbox" / "providers.toml"
EMBEDDED_REDIS_PORT = 6390
SUPERVISED = frozenset({"worker", "beat"})
RESTART_PAUSE_SECONDS = 2.0
MAX_RESTARTS_PER_MINUTE = 5


class _Child(subprocess.Popen[bytes]):
    """A started command, by name, with what starting it again takes."""

    def __init__(self, name: str, command: list[str], env: dict[str, str]) -> None:
        super().__init__(command, env=env)  # our own commands
        self.studio_name = name
        self.studio_start = (command, env)


class Command(BaseCommand):
    help = "Run web, worker, beat, the sandbox provider and (if needed) Redis together."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--sandbox-port", type=int, default=8765)

    def handle(self, *args: object, **options: int) -> None:
        self.children: list[_Child] = []
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        env.setdefault("STUDIO_LOG_FORMAT", "plain")  # a person reads this terminal
        env["REDIS_URL"] = self._redis_url(env)
        env["SANDBOX_BASE_URL"] = f"http://127.0.0.1:{options['sandbox_port']}"
        call_command("migrate", interactive=False, verbosity=0)
        os.environ["SANDBOX_BASE_URL"] = env["SANDBOX_BASE_URL"]
        call_command("loadproviders", str(SANDBOX_PROVIDERS))
        login_hint = self._ensure_admin()
        python, manage = sys.executable, str(Path(settings.BASE_DIR) / "manage.py")
        celery = str(Path(sys.executable).with_name("celery"))
        var = str(settings.VAR_DIR)
        self._start(
            "sandbox", [python, manage, "sandbox", "--port", str(options["sandbox_port"])], env
        )
        # A threads pool (settings.CELERY_WORKER_POOL): hops that wait on providers cost no process.
        # Cheap short database phases (a pool, on PostgreSQL); freed large answers go back to the
        # system instead of staying in 200 threads' malloc arenas.
        worker_env = dict(
            env, STUDIO_DB_POOL="true", MALLOC_ARENA_MAX="2", MALLOC_MMAP_THRESHOLD_="1048576"
        )
        self._start("worker", [celery, "-A", "studio", "worker", "-l", "WARNING"], worker_env)
        self._start(
            "beat",
            [celery, "-A", "studio", "beat", "-l", "WARNING", "-s", f"{var}/celerybeat-schedule"],
            env,
        )
        # ASGI, so API calls waiting for their jobs hold no thread the pages need.
        web = ["-m", "uvicorn", "studio.asgi:application", "--host", "127.0.0.1"]
        self._start("web", [python, *web, "--port", str(options["port"])], env)
        self._wait_for_port(options["port"])
        self.stdout.write(
            self.style.SUCCESS(
                f"\nImage Studio is running at http://127.0.0.1:{options['port']}/\n{login_hint}\n"
                "Press Ctrl-C to stop everything.\n"
            )
        )
        self._supervise()

    def _redis_url(self, env: dict[str, str]) -> str:
        url = env.get("REDIS_URL") or settings.REDIS_URL
        if redis_answers(url):
            return url
        self.stdout.write(f"No Redis answers at {url}; starting an embedded one.")
        self._start(
            "redis", embedded_redis_command(EMBEDDED_REDIS_PORT, str(settings.VAR_DIR)), env
        )
        url = f"redis://127.0.0.1:{EMBEDDED_REDIS_PORT}/0"
        for _ in range(50):
            if redis_answers(url):
                return url
            time.sleep(0.1)
        raise SystemExit("The embedded Redis did not start.")

    def _wait_for_port(self, port: int, seconds: float = 60) -> None:
        """Announce the address only once the web server answers there."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and all(c.poll() is None for c in self.children):
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    return
            time.sleep(0.2)

    def _ensure_admin(self) -> str:
        users = get_user_model()
        password_file = Path(settings.VAR_DIR) / "admin-password.txt"
        if not users.objects.filter(is_superuser=True).exists():
            password = secrets.token_urlsafe(12)
            users.objects.create_superuser("admin", "admin@example.com", password)
            password_file.write_text(password + "\n")
            password_file.chmod(0o600)
        if password_file.exists():
            return f"Log in as admin with password {password_file.read_text().strip()}"
        return "Log in with your superuser account (manage.py createsuperuser makes one)."

    def _start(self, name: str, command: list[str], env: dict[str, str]) -> _Child:
        process = _Child(name, command, env)
        self.children.append(process)
        return process

    def _supervise(self) -> None:
        signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt))
        restarts: list[float] = []
        try:
            while True:
                time.sleep(0.5)
                stopped = next((c for c in self.children if c.poll() is not None), None)
                if stopped is None:
                    continue
                restarts = [t for t in restarts if t > time.monotonic() - 60] + [time.monotonic()]
                if stopped.studio_name not in SUPERVISED or len(restarts) > MAX_RESTARTS_PER_MINUTE:
                    self.stderr.write(
                        f"{stopped.studio_name} stopped (exit {stopped.returncode}); stopping all."
                    )
                    break
                self._restart(stopped)
        except KeyboardInterrupt:
            self.stdout.write("\nStopping…")
        finally:
            self._stop_children()

    def _restart(self, stopped: _Child) -> None:
        self.stderr.write(
            f"{stopped.studio_name} exited (exit {stopped.returncode}); "
            f"starting it again in {RESTART_PAUSE_SECONDS:g} s."
        )
        time.sleep(RESTART_PAUSE_SECONDS)
        self.children.remove(stopped)
        self._start(stopped.studio_name, *stopped.studio_start)

    def _stop_children(self) -> None:
        for child in reversed(self.children):
            if child.poll() is None:
                child.terminate()
        deadline = time.monotonic() + 10
        for child in self.children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
