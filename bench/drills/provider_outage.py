"""Drill: the provider is down for 60 s with 30 jobs in flight; every job still succeeds.

    .venv/bin/python bench/drills/provider_outage.py [--jobs 30] [--down-seconds 60] [--keep-logs]

The sandbox sits behind a relay that resets every connection during the outage (the sandbox keeps
its tasks). 30 mixed jobs are submitted, then the provider goes down for 60 s. Transient failures
are retried inside the retry window (STUDIO_RETRY_WINDOW_SECONDS, 300 s). Holds when every job
ends Succeeded, each submitted once, with no ledger drift.
"""

from __future__ import annotations

import argparse
import sys
import time

from _studio import PrivateStudio


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=30)
    parser.add_argument("--down-seconds", type=float, default=60)
    parser.add_argument("--keep-logs", action="store_true")
    args = parser.parse_args()
    studio = PrivateStudio("provider-outage", task_seconds=10, proxy=True)
    try:
        studio.start_host("host-a", concurrency=4)
        studio.start_beat()
        studio.proxy.up = False  # down before the jobs arrive: every first submit fails
        started = time.monotonic()
        studio.submit(studio.mixed_prompts(args.jobs, "outage"))
        time.sleep(args.down_seconds)
        studio.proxy.up = True
        back = time.monotonic() - started
        seconds = studio.wait_all_final(600)
        verdict = studio.verdict()
        attempts = studio.postgres.sql("SELECT max(attempts), avg(attempts) FROM jobs_job")[0]
        succeeded = verdict.by_status.get("succeeded", 0)
        figures = (
            f"provider down {args.down_seconds:g} s; all final {seconds:.1f} s after it came back "
            f"({back:.0f} s after the first submit); succeeded {succeeded}/{verdict.jobs}; "
            f"attempts per job max {attempts[0]}, mean {float(attempts[1]):.1f}"
        )
        code = studio.report(verdict, figures)
        return code or (0 if succeeded == verdict.jobs else 1)
    finally:
        studio.close(args.keep_logs)


if __name__ == "__main__":
    sys.exit(main())
