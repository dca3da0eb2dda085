"""Drill: PostgreSQL restarted (fast mode) with 50 jobs in flight; nothing restarted by hand.

    .venv/bin/python bench/drills/postgres_restart.py [--jobs 50] [--keep-logs]

Two worker hosts, beat and gunicorn run 50 mixed jobs; `pg_ctl restart -m fast` drops every
database connection while they are in flight. Holds when every job still ends exactly once with
no ledger drift, the workers are still running, and the web answers /readyz 200 again.
"""

from __future__ import annotations

import argparse
import sys
import time

import requests
from _studio import PrivateStudio, wait_until
from _web import start_gunicorn


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=50)
    parser.add_argument("--keep-logs", action="store_true")
    args = parser.parse_args()
    studio = PrivateStudio("postgres-restart", task_seconds=6)
    try:
        for host in ("host-a", "host-b"):
            studio.start_host(host, concurrency=3)
        studio.start_beat()
        ready = start_gunicorn(studio, workers=2) + "/readyz"
        wait_until(lambda: answers(ready), 60, message="the web server to be ready")
        studio.submit(studio.mixed_prompts(args.jobs, "postgres"))
        time.sleep(2)
        in_flight = studio.statuses()
        restarted = time.monotonic()
        studio.postgres.restart()
        took = time.monotonic() - restarted
        seconds = studio.wait_all_final(300)
        web_back = wait_until(lambda: answers(ready), 60, message="/readyz after the restart")
        alive = [name for name, host in studio.hosts.items() if host.alive()]
        verdict = studio.verdict()
        figures = (
            f"in flight: {dict(in_flight)}; pg_ctl restart -m fast took {took:.1f} s; all final "
            f"{seconds:.1f} s later; /readyz 200 again: {bool(web_back)}; hosts alive: {alive}"
        )
        code = studio.report(verdict, figures)
        return code or (0 if len(alive) == len(studio.hosts) else 1)
    finally:
        studio.close(args.keep_logs)


def answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=5).status_code == 200
    except requests.RequestException:
        return False


if __name__ == "__main__":
    sys.exit(main())
