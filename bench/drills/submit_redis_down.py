"""Drill: people submit while Redis is down; no 500, and each job runs once when Redis is back.

    .venv/bin/python bench/drills/submit_redis_down.py [--people 5] [--posts 4] [--keep-logs]

gunicorn, a worker host and beat are running; Redis is stopped; each person posts the Generate
form a few times. Every post must answer the job page (302), never a 500. Redis comes back (empty)
and the sweep sends the jobs that were never queued. Holds when every job ends once, each
submitted to the provider once, with no ledger drift.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter

from _studio import SYNC_MODEL, PrivateStudio
from _web import Person, create_people, model_id, start_gunicorn


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=5)
    parser.add_argument("--posts", type=int, default=4)
    parser.add_argument("--keep-logs", action="store_true")
    args = parser.parse_args()
    studio = PrivateStudio("submit-redis-down")
    try:
        studio.start_host("host-a", concurrency=3)
        studio.start_beat()
        base = start_gunicorn(studio, workers=2)
        people = [Person(base, name) for name in create_people(studio, args.people)]
        model = model_id(studio, SYNC_MODEL)
        studio.redis.stop()
        answers, seconds = Counter(), []
        for number in range(args.posts):
            for index, person in enumerate(people):
                status, took = person.generate(model, f"down-{index}-{number} a harbour")
                answers[status] += 1
                seconds.append(took)
        studio.redis.start()
        final_after = studio.wait_all_final(180)
        verdict = studio.verdict()
        figures = (
            f"posts while Redis was down: {dict(answers)} (slowest {max(seconds):.2f} s); "
            f"all final {final_after:.1f} s after Redis came back"
        )
        code = studio.report(verdict, figures)
        ok = set(answers) == {302} and verdict.jobs == sum(answers.values())
        return code or (0 if ok else 1)
    finally:
        studio.close(args.keep_logs)


if __name__ == "__main__":
    sys.exit(main())
