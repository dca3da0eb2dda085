"""Drill: Redis restarted, empty, with 50 jobs in flight; the sweep brings every job home.

    .venv/bin/python bench/drills/redis_restart.py [--jobs 50] [--down-seconds 5] [--keep-logs]

Two worker hosts and beat run 50 mixed jobs (polled ones take 8 s at the provider). While they
are in flight, Redis is stopped (everything it held is lost: queued hops, scheduled polls) and
started again empty a few seconds later. Nobody restarts a worker or beat. Holds when every job
ends within 5 minutes, each submitted to the provider once, with no ledger drift.
"""

from __future__ import annotations

import argparse
import sys
import time

from _studio import PrivateStudio

TARGET_SECONDS = 300


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=50)
    parser.add_argument("--down-seconds", type=float, default=5)
    parser.add_argument("--keep-logs", action="store_true")
    args = parser.parse_args()
    studio = PrivateStudio("redis-restart", task_seconds=8)
    try:
        for host in ("host-a", "host-b"):
            studio.start_host(host, concurrency=3)
        studio.start_beat()
        studio.submit(studio.mixed_prompts(args.jobs, "redis"))
        time.sleep(3)  # in flight: submitted, polled, some finished
        in_flight = studio.statuses()
        studio.redis.stop()
        time.sleep(args.down_seconds)
        studio.redis.start()
        back = time.monotonic()
        seconds = studio.wait_all_final(TARGET_SECONDS)
        alive = [name for name, host in studio.hosts.items() if host.alive()]
        verdict = studio.verdict()
        figures = (
            f"in flight when Redis stopped: {dict(in_flight)}; all final {seconds:.1f} s after "
            f"Redis came back (target {TARGET_SECONDS} s); hosts still running: {alive}"
        )
        code = studio.report(verdict, figures)
        print(f"[redis-restart] measured {time.monotonic() - back:.1f} s")
        return code or (0 if len(alive) == len(studio.hosts) else 1)
    finally:
        studio.close(args.keep_logs)


if __name__ == "__main__":
    sys.exit(main())
