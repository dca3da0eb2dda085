"""Server time of a team library page (60 thumbnails) with 20,000 images in the team.

Builds a throwaway database (SQLite under a temporary folder, or a test database on the PostgreSQL
server named by DATABASE_URL), fills a team's library, then times the page with Django's test client
(the whole request/response cycle in-process: middleware, queries, template; no network).

    .venv/bin/python bench/library_page.py [--images 20000] [--requests 50]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/library_page.py

Target: median under 100 ms. Record what you measure in bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET_MS = 100.0


def configure_django(var_dir: str) -> None:
    # Production-like: no DEBUG (no query log, no template debug), plain HTTP for the test client.
    os.environ["STUDIO_VAR_DIR"] = var_dir
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ["DJANGO_SECURE_SSL_REDIRECT"] = "false"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio.settings_test")
    import django

    django.setup()


def build_library(images: int) -> tuple[object, object]:
    """The tests' world (tests/world.py): its team with `images` images in its library (4 per job,
    made by the owner and the editor), some starred; returns the team and its owner."""
    from tests.world import World

    world = World()
    world.fill_library(images)
    return world.team, world.owner


def time_page(client, url: str, params: dict, requests: int) -> list[float]:
    for _ in range(3):  # warm caches (templates, URL resolver, database pages)
        client.get(url, params)
    timings = []
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get(url, params)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
    return timings


def report(label: str, timings: list[float]) -> float:
    median = statistics.median(timings)
    p95 = statistics.quantiles(timings, n=20)[-1]
    verdict = "ok" if median < TARGET_MS else "OVER TARGET"
    print(f"{label:<34} median {median:6.1f} ms   p95 {p95:6.1f} ms   ({verdict})")
    return median


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-library-") as var_dir:
        configure_django(var_dir)
        from django.conf import settings
        from django.db import connection
        from django.test.client import Client
        from django.test.utils import setup_test_environment

        setup_test_environment()
        database = connection.creation.create_test_db(verbosity=0, autoclobber=True)
        try:
            settings.STUDIO_HISTORY_PAGE_SIZE = 60
            started = time.perf_counter()
            team, owner = build_library(args.images)
            print(
                f"{connection.vendor}: {args.images:,} images built in "
                f"{time.perf_counter() - started:.1f} s ({database})"
            )
            client = Client()
            client.force_login(owner)
            url = f"/teams/{team.slug}/library/"
            medians = [
                report("library page 1 (60 thumbnails)", time_page(client, url, {}, args.requests)),
                report("library page 200", time_page(client, url, {"page": 200}, args.requests)),
                report(
                    "library, search 'harbour'",
                    time_page(client, url, {"q": "harbour"}, args.requests),
                ),
                report("history page 1", time_page(client, "/history/", {}, args.requests)),
            ]
        finally:
            connection.creation.destroy_test_db(database, verbosity=0)
    return 0 if medians[0] < TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
