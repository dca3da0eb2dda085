"""`make run` (manage.py runstudio) starts the worker again when it dies."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.fixtures.services import TEST_QUEUE, free_port, wait_until

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.long, pytest.mark.worker]


def children(pid: int) -> dict[int, str]:
    """{pid: command line} of a process's direct children."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            if parent == pid:
                found[int(entry.name)] = (entry / "cmdline").read_bytes().replace(b"\0", b" ")
        except (OSError, IndexError, ValueError):
            continue
    return {k: v.decode() for k, v in found.items()}


def worker_pid(studio_pid: int) -> int | None:
    return next((p for p, cmd in children(studio_pid).items() if " worker " in cmd), None)


def test_a_killed_worker_is_started_again(tmp_path, redis_url):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.update(
        STUDIO_VAR_DIR=str(tmp_path),
        REDIS_URL=redis_url,
        STUDIO_CELERY_QUEUE=f"{TEST_QUEUE}-runstudio",
        DJANGO_HTTPS="false",
    )
    log = (tmp_path / "runstudio.log").open("wb")
    sandbox = str(free_port())
    studio = subprocess.Popen(
        [
            *(sys.executable, "manage.py", "runstudio"),
            "--port",
            str(free_port()),
            "--sandbox-port",
            sandbox,
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        first = wait_until(lambda: worker_pid(studio.pid), 90, 0.3, message="the first worker")
        time.sleep(2)  # let it finish booting
        os.kill(first, signal.SIGKILL)

        def replaced():
            pid = worker_pid(studio.pid)
            return pid if pid and pid != first else None

        wait_until(replaced, 30, 0.3, message="a new worker")
        assert studio.poll() is None
        assert "starting it again" in (tmp_path / "runstudio.log").read_text()
    finally:
        os.killpg(studio.pid, signal.SIGTERM)
        try:
            studio.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(studio.pid, signal.SIGKILL)
        log.close()
