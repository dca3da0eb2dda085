"""Helpers shared by the benchmark scripts (not a benchmark itself: run_all.py skips `_*.py`)."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fixtures.polling import free_port, wait_until  # noqa: E402  (after the path)

__all__ = ["free_port", "wait_until"]
PYTHON = sys.executable
CELERY = str(Path(sys.executable).with_name("celery"))


def machine() -> str:
    """`2 cores, load 1.2/1.6/1.1, Linux 6.1 · 2026-11-21`: what a figure in the README needs."""
    load = "/".join(f"{value:.1f}" for value in os.getloadavg())
    return (
        f"{os.cpu_count()} cores, load {load}, {platform.system()} {platform.release()} · "
        f"{date.today().isoformat()}"
    )


class Child:
    """A process we started, in its own process group so its own children stop with it."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], log: Path) -> None:
        self.name = name
        self.log_path = log
        self._log = log.open("ab")
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self, timeout: float = 20.0) -> None:
        """SIGTERM to the group (a warm shutdown for Celery), SIGKILL if it does not end in time."""
        import signal

        if self.alive():
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
            except ProcessLookupError:
                pass
        self._log.close()

    def tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def cpu_seconds(process_group: int) -> float:
    """User + system CPU time of every live process in a process group (read from /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        # after "pid (comm)": state ppid pgrp session tty tpgid flags minflt cminflt majflt
        # cmajflt utime stime ...
        if int(fields[2]) == process_group:
            total += int(fields[11]) + int(fields[12])
    return total / tick
