"""Push latency: "provider done → image on the page", median and p95, with push and without it.

For each job a real browser (the system Chromium, found as the tests find it, through
Playwright) has the job page open. The clock starts when the worker finished the job
(`Job.finished_at`: the image is stored and the row says Succeeded) and stops when the result
image has loaded in the page (`Date.now()` at the image's load event). Both clocks are this
machine's. Run twice: pages fed by push (SSE from Redis pub/sub) and pages whose push channel is
down (they poll once a second).

It builds its own world like engine_throughput.py (own database, queue, media folder, sandbox,
worker and beat) plus a web server (`manage.py runserver --noreload`) per mode.

    .venv/bin/python bench/push_latency.py [--jobs 20] [--database sqlite|postgres]

Exits non-zero when a job did not show its image. Record the figures in bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parents[1]))

from _common import PYTHON, ROOT, free_port, machine, wait_until
from engine_throughput import Bench, setup_django, wait_for_worker

# The page notes when the first result image has loaded (present already, or swapped in later).
WATCH_RESULT = """
new MutationObserver(() => {
  const picture = document.querySelector(".results img");
  if (!picture || window.__imageShownAt) return;
  const shown = () => { window.__imageShownAt = window.__imageShownAt || Date.now(); };
  if (picture.complete && picture.naturalWidth) shown();
  else picture.addEventListener("load", shown);
}).observe(document, {childList: true, subtree: true});
"""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", type=int, default=20, help="jobs per mode")
    parser.add_argument("--database", choices=["sqlite", "postgres"])
    args = parser.parse_args()
    # What engine_throughput's Bench reads.
    args.task_seconds, args.threads, args.worker_log_level = 2.0, 200, "WARNING"
    return args


def start_web(bench: Bench, name: str, extra: dict[str, str]) -> str:
    port = free_port()
    saved = bench.env
    bench.env = {**saved, "DJANGO_HTTPS": "false", **extra}
    web = bench.start(name, [PYTHON, str(ROOT / "manage.py"), "runserver", "--noreload",
                             f"127.0.0.1:{port}"])  # fmt: skip
    bench.env = saved
    url = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        import requests

        if not web.alive():
            raise RuntimeError(f"the web server exited:\n{web.tail()}")
        try:
            return requests.get(f"{url}/accounts/login/", timeout=1).ok
        except requests.RequestException:
            return False

    wait_until(answers, 60, message=f"the {name} web server")
    return url


def measure_mode(browser, base_url: str, owner, model, jobs: int) -> list[float]:
    from jobs.models import Job
    from studio.submit import JobSpec, submit_job
    from tests.world import PASSWORD

    context = browser.new_context()
    context.add_init_script(WATCH_RESULT)
    page = context.new_page()
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill(owner.get_username())
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    latencies = []
    for number in range(jobs):
        spec = JobSpec(owner=owner, model=model, prompt=f"a buoy, study {number} [[delay:1.5]]")
        job = submit_job(spec)
        page.goto(f"{base_url}/jobs/{job.pk}/")
        page.wait_for_function("() => window.__imageShownAt", timeout=30_000)
        shown_ms = page.evaluate("() => window.__imageShownAt")
        finished = Job.objects.get(pk=job.pk).finished_at
        latencies.append(shown_ms / 1000 - finished.timestamp())
    context.close()
    return latencies


def summary(name: str, latencies: list[float]) -> str:
    ordered = sorted(latencies)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return (
        f"{name}: median {statistics.median(ordered) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
        f"max {ordered[-1] * 1000:.0f} ms over {len(ordered)} jobs"
    )


def main() -> int:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-push-") as folder:
        bench = Bench(args, Path(folder))
        try:
            bench.prepare()
            worker, _beat = bench.start_worker()
            setup_django(bench.env)
            wait_for_worker(worker, bench.queue)
            push_url = start_web(bench, "web-push", {})
            polling_url = start_web(
                bench, "web-polling", {"STUDIO_EVENTS_REDIS_URL": "redis://127.0.0.1:1/0"}
            )
            from playwright.sync_api import sync_playwright

            from tests.fixtures.browser import CHROMIUM, CHROMIUM_ARGS
            from tests.world import World

            world = World()  # the tests' world (tests/world.py): its editor and the sandbox
            model = world.sandbox_models()["gpt-image-1"]
            owner = world.editor
            before = machine()
            # Playwright's sync API runs an event loop; the ORM calls here are plain sync ones.
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                push = measure_mode(browser, push_url, owner, model, args.jobs)
                polling = measure_mode(browser, polling_url, owner, model, args.jobs)
                browser.close()
            print(f"database: {args.database}; machine before: {before}; after: {machine()}")
            print(summary("push (SSE from Redis pub/sub)", push))
            print(summary("polling fallback (push channel down)", polling))
            return 0
        finally:
            bench.close()


if __name__ == "__main__":
    sys.exit(main())
