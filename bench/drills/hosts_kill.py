"""Drill: three worker hosts share Redis and PostgreSQL; one is SIGKILLed halfway through.

    .venv/bin/python bench/drills/hosts_kill.py [--jobs 1000] [--timeout 900] [--keep-logs]

Three `celery worker` processes with different `--hostname`s (host-a, host-b, host-c) and two
beats (one started by mistake) run a mix of synchronous and polled jobs. When half the jobs are
final, host-b is killed with SIGKILL (no goodbye, its unacknowledged messages stay in Redis).
Holds when every job ends, each provider submit happens once per job, and the ledger has no drift.
"""

from __future__ import annotations

import argparse
import sys
import time

from _world import FINAL, World


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--timeout", type=float, default=900)
    parser.add_argument("--keep-logs", action="store_true")
    args = parser.parse_args()
    world = World("hosts-kill", task_seconds=3)
    try:
        for host in ("host-a", "host-b", "host-c"):
            world.start_host(host, concurrency=3)
        world.start_beat("beat-1")
        world.start_beat("beat-2")  # the mistake: two beats
        started = time.monotonic()
        world.submit(world.mixed_prompts(args.jobs, "hosts"))
        submitted = time.monotonic() - started
        half = args.jobs // 2
        while sum(n for s, n in world.statuses().items() if s in FINAL) < half:
            time.sleep(0.5)
        world.kill(world.hosts["host-b"])
        killed_at = time.monotonic() - started
        print(f"[hosts-kill] host-b killed at {killed_at:.1f} s", flush=True)
        world.wait_all_final(args.timeout)
        total = time.monotonic() - started
        verdict = world.verdict()
        return world.report(
            verdict,
            f"submitted in {submitted:.1f} s; host-b SIGKILLed at {killed_at:.1f} s; "
            f"all final after {total:.1f} s",
        )
    finally:
        world.close(args.keep_logs)


if __name__ == "__main__":
    sys.exit(main())
