"""Drill: three worker hosts share Redis and PostgreSQL; one is SIGKILLed halfway through.

    .venv/bin/python bench/drills/hosts_kill.py [--jobs 1000] [--timeout 900] [--no-netns]
        [--keep-logs]

Three `celery worker` processes with different `--hostname`s (host-a, host-b, host-c), each in
its own network namespace when the machine allows it (root and `ip netns`; `--no-netns` not to),
and two beats (one started by mistake) run a mix of synchronous and polled jobs. When half the
jobs are final, host-b is killed with SIGKILL (no goodbye, its unacknowledged messages stay in
Redis). Holds when every job ends, each provider submit happens once per job, and the ledger has
no drift.
"""

from __future__ import annotations

import argparse
import sys
import time

from _netns import unavailable_reason
from _studio import FINAL, PrivateStudio


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--timeout", type=float, default=900)
    parser.add_argument("--no-netns", action="store_true", help="hosts share the network")
    parser.add_argument("--keep-logs", action="store_true")
    args = parser.parse_args()
    netns = not args.no_netns
    if netns and (reason := unavailable_reason()):
        print(f"[hosts-kill] note: hosts share the network namespace ({reason})", flush=True)
        netns = False
    studio = PrivateStudio("hosts-kill", task_seconds=3, host_netns=netns)
    try:
        for host in ("host-a", "host-b", "host-c"):
            studio.start_host(host, concurrency=3)
        studio.start_beat("beat-1")
        studio.start_beat("beat-2")  # the mistake: two beats
        started = time.monotonic()
        studio.submit(studio.mixed_prompts(args.jobs, "hosts"))
        submitted = time.monotonic() - started
        half = args.jobs // 2
        while sum(n for s, n in studio.statuses().items() if s in FINAL) < half:
            time.sleep(0.5)
        studio.kill(studio.hosts["host-b"])
        killed_at = time.monotonic() - started
        print(f"[hosts-kill] host-b killed at {killed_at:.1f} s", flush=True)
        studio.wait_all_final(args.timeout)
        total = time.monotonic() - started
        verdict = studio.verdict()
        return studio.report(
            verdict,
            f"submitted in {submitted:.1f} s; host-b SIGKILLed at {killed_at:.1f} s; "
            f"all final after {total:.1f} s; hosts in separate network namespaces: "
            f"{'yes' if netns else 'no'}",
        )
    finally:
        studio.close(args.keep_logs)


if __name__ == "__main__":
    sys.exit(main())
