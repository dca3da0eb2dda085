"""Full-page screenshots of every page a person meets, for reviewers (not a test, not a benchmark).

    make screenshots                     # light colour scheme
    SCHEME=dark make screenshots         # prefers-color-scheme: dark
    .venv/bin/python bench/screenshots.py --color-scheme dark --out var/screenshots

Builds a throwaway studio under var/screenshots/.run/ (SQLite, media, an embedded Redis, the
sandbox provider on a free port), fills it as a small team would (people, a team, jobs that
succeeded, failed and were canceled, run to their end in this process, collections, a token, a
quota), serves it with `manage.py runserver` on a free port, and photographs each page with
Chromium's headless shell at 1440×900 and 390×844: `var/screenshots/<page>-<width>[-dark].png`.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import sys
from pathlib import Path

from _common import PYTHON, ROOT, Child, free_port, wait_until

VIEWPORTS = [(1440, 900), (390, 844)]
SANDBOX_PROVIDERS = ROOT / "jobs" / "sandbox" / "providers.toml"


def configure(run_dir: Path, redis_url: str, sandbox_url: str) -> dict[str, str]:
    """This process's environment and Django, pointed at the throwaway studio; returns the
    environment for the web server."""
    os.environ.update(
        STUDIO_VAR_DIR=str(run_dir),
        DATABASE_URL=f"sqlite:///{run_dir / 'studio.sqlite3'}",
        REDIS_URL=redis_url,
        SANDBOX_BASE_URL=sandbox_url,
        DJANGO_SETTINGS_MODULE="studio.settings",
        DJANGO_DEBUG="false",
        DJANGO_HTTPS="false",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        STUDIO_LOG_FORMAT="plain",
        DJANGO_ALLOW_ASYNC_UNSAFE="true",  # Playwright's sync API runs an event loop here
    )
    import django

    django.setup()
    return dict(os.environ)


def start_redis(run_dir: Path) -> tuple[Child, str]:
    from studio.embedded_redis import embedded_redis_command, redis_answers

    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    child = Child("redis", embedded_redis_command(port), dict(os.environ), run_dir / "redis.log")
    wait_until(lambda: redis_answers(url), 15, message="the embedded Redis")
    return child, url


def seed() -> dict[str, str]:
    """A small team's studio; returns the paths of the pages that show one of its objects."""
    from django.core.management import call_command

    from jobs import engine
    from jobs.models import ProviderModel, QuotaLimit
    from jobs.services import cancel_job
    from studio.collecting import add_to_collection
    from studio.library import share_images
    from studio.models import Collection, Membership, Role, Team
    from studio.submit import JobSpec, submit_comparison, submit_job
    from tests.conftest import create_person

    call_command("migrate", interactive=False, verbosity=0)
    call_command("loadproviders", str(SANDBOX_PROVIDERS), verbosity=0)
    # Alice is also a staff admin: the Teams page shows "Create a team"; /people/new/ opens.
    alice, bob = create_person("alice", is_staff=True), create_person("bob")
    design = Team.objects.create(name="Design", slug="design")
    Membership.objects.create(team=design, user=alice, role=Role.OWNER)
    Membership.objects.create(team=design, user=bob, role=Role.EDITOR)
    QuotaLimit.objects.create(
        scope=QuotaLimit.Scope.USER, user=alice, images_per_day=50, credits_per_month=400
    )
    models = {model.name: model for model in ProviderModel.objects.all()}

    def run(prompt: str, model: str = "gpt-image-1", team=None, n: int = 1, **params):
        job = submit_job(
            JobSpec(owner=alice, model=models[model], prompt=prompt, n=n, team=team, params=params)
        )
        engine.run_job(job.pk)
        job.refresh_from_db()
        return job

    done = run("a lighthouse on a cliff at dawn, watercolour", n=4, size="1024x1024")
    run("a paper boat on a rain puddle, macro photo", model="dall-e-3", size="1792x1024")
    run("a poster for a jazz night, bold shapes", team=design, n=2, size="1024x1536")
    run("a harbour at dusk [[fault:policy]]")
    run("a night market, neon signs", model="grok-3-image", n=2)
    waiting = submit_job(
        JobSpec(owner=alice, model=models["gpt-image-1"], prompt="an orchard in spring", n=1)
    )
    cancel_job(waiting)
    comparison = submit_comparison(
        [
            JobSpec(owner=alice, model=models[name], prompt="a fox in the snow, morning light")
            for name in ("gpt-image-1", "grok-3-image", "dall-e-3")
        ]
    )
    for job in comparison.jobs.all():
        engine.run_job(job.pk)
    images = list(done.images.order_by("index"))
    share_images(alice, design, [image.pk for image in images[:3]])
    ids = [image.pk for image in images]
    best, _ = add_to_collection(design, ids[:2], collection=None, new_name="Best", added_by=alice)
    add_to_collection(None, ids[1:], collection=None, new_name="Moodboard", added_by=alice)
    call_command("apitoken", "create", "--user", "alice", "--name", "laptop", stdout=io.StringIO())
    personal = Collection.objects.get(team__isnull=True, owner=alice)
    return {
        "job": f"/jobs/{done.pk}/",
        "image": f"/images/{images[0].pk}/",
        "collection": f"/teams/design/collections/{best.pk}/",
        "my-collection": f"/collections/{personal.pk}/",
        "comparison": f"/compare/{comparison.pk}/",
    }


def pages(paths: dict[str, str]) -> list[tuple[str, str, bool]]:
    """(file name, path, logged in) of every page a person meets."""
    return [
        ("studio", "/", True),
        ("job-done", paths["job"], True),
        ("compare", "/compare/", True),
        ("comparison", paths["comparison"], True),
        ("my-jobs", "/jobs/", True),
        ("history", "/history/", True),
        ("image", paths["image"], True),
        ("edit", "/edit/", True),
        ("teams", "/teams/", True),
        ("team", "/teams/design/", True),
        ("people-new", "/people/new/", True),
        ("team-library", "/teams/design/library/", True),
        ("collection", paths["collection"], True),
        ("my-collections", "/collections/", True),
        ("my-collection", paths["my-collection"], True),
        ("tokens", "/account/tokens/", True),
        ("preferences", "/preferences/", True),
        ("usage", "/usage/", True),
        ("password-change", "/accounts/password_change/", True),
        ("login", "/accounts/login/", False),
        ("not-found", "/no-such-page/", True),
    ]


def session_cookie(base_url: str) -> dict:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username="alice"))
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    return {"name": cookie.key, "value": cookie.value, "url": base_url, "httpOnly": True}


def photograph(
    base_url: str, paths: dict[str, str], out: Path, scheme: str, language: str = "en"
) -> int:
    from playwright.sync_api import sync_playwright

    from tests.fixtures.browser import CHROMIUM, CHROMIUM_ARGS

    # The browser's language chooses the page's (no one has picked one in the session).
    suffix = ("" if language == "en" else f"-{language}") + (
        "" if scheme == "light" else f"-{scheme}"
    )
    taken = 0
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for width, height in VIEWPORTS:
            for logged_in in (True, False):
                context = browser.new_context(
                    viewport={"width": width, "height": height},
                    color_scheme=scheme,
                    locale=language,
                )
                if logged_in:
                    context.add_cookies([session_cookie(base_url)])
                page = context.new_page()
                for name, path, wants_login in pages(paths):
                    if wants_login != logged_in:
                        continue
                    page.goto(f"{base_url}{path}")
                    page.wait_for_load_state("networkidle")
                    target = out / f"{name}-{width}{suffix}.png"
                    page.screenshot(path=str(target), full_page=True)
                    print(f"  {target.relative_to(ROOT)}")
                    taken += 1
                context.close()
        browser.close()
    return taken


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--color-scheme", choices=["light", "dark"], default="light")
    parser.add_argument("--language", choices=["en", "zh-hans"], default="en")
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "screenshots")
    options = parser.parse_args()
    out: Path = options.out.resolve()
    run_dir = out / ".run"
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)

    from jobs.sandbox import SandboxServer

    sandbox = SandboxServer(host="127.0.0.1", port=0, task_seconds=1).start()
    redis, redis_url = start_redis(run_dir)
    web = None
    try:
        env = configure(run_dir, redis_url, sandbox.base_url)
        paths = seed()
        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        web = Child(
            "web",
            [PYTHON, "manage.py", "runserver", "--noreload", "--insecure", f"127.0.0.1:{port}"],
            env,
            run_dir / "web.log",
        )
        wait_until(lambda: _answers(base_url), 30, 0.2, message=f"the web server ({web.log_path})")
        taken = photograph(base_url, paths, out, options.color_scheme, options.language)
        print(f"{taken} screenshots in {out.relative_to(ROOT)}/")
    finally:
        if web is not None:
            web.stop()
        redis.stop()
        sandbox.stop()


def _answers(base_url: str) -> bool:
    import requests

    try:
        return requests.get(f"{base_url}/healthz", timeout=2).status_code == 200
    except requests.RequestException:
        return False


if __name__ == "__main__":
    sys.exit(main())
