"""Drill: 50 people each post the Generate form 20 times through gunicorn (3 workers).

    .venv/bin/python bench/drills/gunicorn_load.py [--people 50] [--posts 20] [--workers 3]
        [--keep-logs]

Each person is a thread with its own logged-in session, posting back to back (a closed loop, as
the fault-injection run did). Reports submit latency (p50/p95, the POST alone, redirect not
followed), posts per second and server errors; then waits until every accepted job is final and
checks each ran once with no ledger drift. Target: p95 ≤ 300 ms on 2 cores.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import threading
import time
from collections import Counter

from _studio import SYNC_MODEL, PrivateStudio, cpu_seconds
from _web import Person, create_people, model_id, start_gunicorn

TARGET_P95 = 0.300


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=50)
    parser.add_argument("--posts", type=int, default=20)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker")
    parser.add_argument("--keep-logs", action="store_true")
    args = parser.parse_args()
    studio = PrivateStudio("gunicorn-load", task_seconds=2)
    try:
        studio.start_host("host-a", concurrency=4)
        studio.start_beat()
        base = start_gunicorn(studio, workers=args.workers, threads=args.threads)
        people = [Person(base, name) for name in create_people(studio, args.people)]
        model = model_id(studio, SYNC_MODEL)
        answers: Counter = Counter()
        latencies: list[float] = []
        lock, start_line = threading.Lock(), threading.Barrier(len(people))

        def work(index: int, person: Person) -> None:
            start_line.wait()
            for number in range(args.posts):
                status, took = person.generate(model, f"load-{index}-{number} a lighthouse")
                with lock:
                    answers[status] += 1
                    latencies.append(took)

        threads = [threading.Thread(target=work, args=pair) for pair in enumerate(people)]
        cpu_before = cpu_by_part(studio)
        began = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.monotonic() - began
        cpu_after = cpu_by_part(studio)
        final_after = studio.wait_all_final(600)
        verdict = studio.verdict()
        cuts = statistics.quantiles(latencies, n=100)
        p50, p95 = statistics.median(latencies), cuts[94]
        server_errors = sum(n for status, n in answers.items() if status >= 500 or status == 0)
        figures = (
            f"gunicorn {args.workers} workers x {args.threads} threads: "
            f"{len(latencies)} posts in {wall:.1f} s ({len(latencies) / wall:.0f}/s); "
            f"p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms (target {TARGET_P95 * 1000:.0f}); "
            f"answers {dict(answers)}; server errors {server_errors}; "
            f"all final {final_after:.1f} s after the last post"
        )
        used = {part: cpu_after[part] - cpu_before[part] for part in cpu_before}
        per_post = ", ".join(
            f"{part} {1000 * seconds / len(latencies):.1f}" for part, seconds in used.items()
        )
        figures += (
            f"\n[gunicorn-load] CPU during the posts: {sum(used.values()):.1f} s of "
            f"{2 * wall:.1f} s available on 2 cores; per post (ms): {per_post}"
        )
        code = studio.report(verdict, figures)
        return code or (0 if server_errors == 0 else 1)
    finally:
        studio.close(args.keep_logs)


def cpu_by_part(studio: PrivateStudio) -> dict[str, float]:
    """CPU seconds so far of each part: web, worker host, sandbox, PostgreSQL, these clients."""
    parts = {name: cpu_seconds(child.pid) for name, child in studio.named_children().items()}
    parts["postgres"] = studio.postgres.cpu_seconds()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    parts["load generator"] = usage.ru_utime + usage.ru_stime
    return parts


if __name__ == "__main__":
    sys.exit(main())
