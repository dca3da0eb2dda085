"""Pages while API calls wait: history page p95 with 100 `/v1/images/generations` calls waiting.

A waiting API call is a suspended coroutine in the ASGI server (studio/api/waiting.py), not a busy
thread, process or database connection, so pages must stay as quick as without them. The studio
runs as `make run` runs it: one uvicorn process (studio.asgi), one Celery worker × 2 processes,
beat, the sandbox. 100 API calls ask for `gpt-image-1.5` images whose remote tasks take 30 s; while
all 100 wait, the history page (60 thumbnails of 2,000 images) is fetched over HTTP by a logged-in
person, one request after another, and its latency measured; then every API call must come back 200.

    .venv/bin/python bench/api_waiting.py [--database sqlite|postgres] [--calls 100]
        [--task-seconds 30] [--requests 100]

Target: history page p95 ≤ 200 ms while the calls wait. Record the figures in bench/README.md.
Everything is isolated and thrown away, as in engine_throughput.py (whose set-up it shares).
"""

from __future__ import annotations

import argparse
import signal
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parents[1]))

import engine_throughput
from _common import PYTHON, free_port, machine, wait_until

TARGET_P95_MS = 200.0
HISTORY_IMAGES = 2000
# Its own database, so it can run beside engine_throughput.py.
engine_throughput.PG_DATABASE = "bench_api_waiting"


def build_world() -> tuple[str, str]:
    """The tests' world (tests/world.py): the sandbox's models, and the team's owner with 2,000
    images and an API token; returns (session cookie, token)."""
    from django.test.client import Client

    from studio.api.tokens import create_token
    from tests.world import World

    world = World()
    world.sandbox_models()
    person = world.owner
    world.fill_library(HISTORY_IMAGES, people=[person])
    token, secret = create_token(person, name="bench")
    token.rate_limit_per_minute = 10_000
    token.save()
    client = Client()
    client.force_login(person)
    return client.cookies["sessionid"].value, secret


def start_web(bench: engine_throughput.Bench) -> str:
    import requests

    port = free_port()
    command = [PYTHON, "-m", "uvicorn", "studio.asgi:application", "--host", "127.0.0.1"]
    bench.start("web", [*command, "--port", str(port), "--log-level", "warning"])
    url = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        try:
            return requests.get(f"{url}/accounts/login/", timeout=1).ok
        except requests.RequestException:
            return False

    wait_until(answers, 60, message="the web server")
    return url


def call_api(url: str, secret: str, number: int, results: list) -> None:
    import requests

    body = {
        "model": "gpt-image-1.5",
        "prompt": f"a lighthouse in fog, study {number} [[pending:{ARGS.task_seconds:g}]]",
        "size": "1024x1024",
    }
    started = time.monotonic()
    try:
        response = requests.post(
            f"{url}/v1/images/generations",
            json=body,
            headers={"Authorization": f"Bearer {secret}"},
            timeout=ARGS.task_seconds + 120,
        )
        results.append((response.status_code, time.monotonic() - started))
    except requests.RequestException as error:
        results.append((repr(error), time.monotonic() - started))


def time_history(url: str, cookie: str, requests_count: int) -> list[float]:
    import requests

    session = requests.Session()
    session.cookies.set("sessionid", cookie)
    for _ in range(3):  # warm up
        session.get(f"{url}/history/", timeout=10)
    timings = []
    for _ in range(requests_count):
        started = time.perf_counter()
        response = session.get(f"{url}/history/", timeout=10)
        timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200 or "study" not in response.text:
            raise RuntimeError(f"the history page answered {response.status_code}")
    return timings


def summary(timings: list[float]) -> str:
    p95 = statistics.quantiles(timings, n=20)[-1]
    return (
        f"median {statistics.median(timings):.1f} ms, p95 {p95:.1f} ms, max {max(timings):.1f} ms"
    )


def threads_of(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Threads:"):
            return int(line.split()[1])
    return 0


def database_connections() -> int | None:
    """Open connections to the benchmark's PostgreSQL database, this process's included."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
        return cursor.fetchone()[0]


def measure(bench: engine_throughput.Bench) -> int:
    from jobs.models import Job, JobStatus

    cookie, secret = build_world()
    url = start_web(bench)
    web = next(child for child in bench.children if child.name == "web")
    quiet = time_history(url, cookie, ARGS.requests)
    print(f"history page, nothing waiting:        {summary(quiet)}")

    results: list = []
    callers = [
        threading.Thread(target=call_api, args=(url, secret, n, results), daemon=True)
        for n in range(ARGS.calls)
    ]
    load_before = machine()
    for caller in callers:
        caller.start()
    wait_until(
        lambda: (
            Job.objects.filter(status=JobStatus.RUNNING).exclude(remote_task_id="").count()
            >= ARGS.calls
        ),
        60,
        message=f"{ARGS.calls} API jobs to be running",
    )
    threads, connections = threads_of(web.pid), database_connections()
    busy = time_history(url, cookie, ARGS.requests)
    still_waiting = sum(caller.is_alive() for caller in callers)
    print(f"history page, {still_waiting} API calls waiting: {summary(busy)}")
    print(
        f"while they wait: web process threads {threads}; "
        f"database connections (all processes) {connections}"
    )
    for caller in callers:
        caller.join(ARGS.task_seconds + 150)
    codes = [code for code, _ in results]
    ok = codes.count(200)
    durations = sorted(seconds for _, seconds in results)
    print(f"machine before: {load_before}\nmachine after:  {machine()}")
    print(
        f"API calls: {ok} of {ARGS.calls} answered 200 "
        f"(others: {[c for c in codes if c != 200][:5]}); "
        f"call durations {durations[0]:.1f} to {durations[-1]:.1f} s"
    )
    p95 = statistics.quantiles(busy, n=20)[-1]
    verdict = "ok" if p95 <= TARGET_P95_MS else "OVER TARGET"
    print(
        f"api_waiting: history p95 {p95:.1f} ms with {still_waiting} API calls waiting "
        f"(target ≤ {TARGET_P95_MS:g} ms, {verdict}); quiet p95 "
        f"{statistics.quantiles(quiet, n=20)[-1]:.1f} ms; {ok}/{ARGS.calls} calls 200 "
        f"[{ARGS.database}, load {__import__('os').getloadavg()[0]:.1f}]"
    )
    return 0 if ok == ARGS.calls and still_waiting == ARGS.calls and p95 <= TARGET_P95_MS else 1


def main() -> int:
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt))
    with tempfile.TemporaryDirectory(prefix="bench-api-") as var_dir:
        bench = engine_throughput.Bench(ARGS, Path(var_dir))
        try:
            bench.prepare()
            bench.env["DJANGO_DEBUG"] = "false"
            bench.env["DJANGO_HTTPS"] = "false"
            bench.env["STUDIO_API_WAIT_SECONDS"] = str(int(ARGS.task_seconds + 90))
            engine_throughput.setup_django(bench.env)
            worker, _beat = bench.start_worker()
            engine_throughput.wait_for_worker(worker, bench.queue)
            return measure(bench)
        except KeyboardInterrupt:
            print("interrupted; stopping what this benchmark started", file=sys.stderr)
            return 130
        except Exception:
            for child in bench.children:
                print(f"--- {child.name} log ---\n{child.tail(30)}", file=sys.stderr)
            raise
        finally:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            bench.close()


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default=None)
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--task-seconds", type=float, default=30.0)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--threads", type=int, default=200, help="the worker's threads")
    parser.add_argument("--worker-log-level", default="WARNING")
    return parser.parse_args()


ARGS = parse_args() if __name__ == "__main__" else None
engine_throughput.ARGS = ARGS

if __name__ == "__main__":
    sys.exit(main())
