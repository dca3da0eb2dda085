"""The studio page's feed: "Generate pressed → card visible" and "provider done → image visible".

A real browser (Chromium's headless shell, found as the tests find it) has the studio page (`/`)
open, logged in, the push channel live. For each job it fills the dock's Prompt and presses
Generate (sandbox `gpt-image-1`), then waits until the job's result image has loaded in its card
before the next one, so jobs do not overlap. The page itself keeps the clocks, so Playwright's own
round trips are not counted:
  1. Generate pressed → card visible: `performance.now()` in a click listener on the button, to
     `performance.now()` when the new card (`[data-job-id]`) is in the feed and rendered
     (`checkVisibility()`), noted by a MutationObserver. Target: median ≤ 150 ms.
  2. provider done → image visible in the feed: from `Job.finished_at` (the image is stored and
     the row says Succeeded) to `Date.now()` at the result image's load event in the card (both
     clocks are this machine's), as push_latency.py measures it for the job page. Target: median
     ≤ 1 s.
It also prints the htmx POST's share of (1) (request start → response end, from the page's
resource timing).

It builds its own world like push_latency.py (engine_throughput.py's database, queue, media
folder, sandbox, worker and beat, plus one `manage.py runserver --noreload`).

    .venv/bin/python bench/studio_feed.py [--jobs 20] [--database sqlite|postgres]

Exits non-zero when a median misses its target or a job's image did not show. Record the figures
in bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parents[1]))

from _common import machine
from engine_throughput import Bench, setup_django, wait_for_worker
from push_latency import start_web, summary

CARD_TARGET = 0.150  # seconds, median
IMAGE_TARGET = 1.0  # seconds, median
MODEL_LABEL = "Sandbox · gpt-image-1 (openai)"
# Installed before the page's own scripts. `__feed.pressed[n]` is the n-th press of Generate,
# `order[n]` the job id of the first card that appeared after it; cards swapped in again by push
# keep their first time. Load events do not bubble, but they pass the document while capturing.
WATCH_FEED = """
performance.setResourceTimingBufferSize(5000);
window.__feed = {pressed: [], order: [], cards: {}, images: {}};
(() => {
  const feed = window.__feed;
  const seen = new Set();
  document.addEventListener("click", (event) => {
    if (event.target.closest && event.target.closest("form[data-dock] button[type=submit]")) {
      feed.pressed.push(performance.now());
    }
  }, true);
  const imageShown = (picture) => {
    const card = picture.closest(".results") && picture.closest("[data-job-id]");
    if (card && !(card.dataset.jobId in feed.images)) feed.images[card.dataset.jobId] = Date.now();
  };
  document.addEventListener("load", (event) => {
    if (event.target.tagName === "IMG") imageShown(event.target);
  }, true);
  const cardShown = (card) => {
    const id = card.dataset.jobId;
    if (seen.has(id)) return;
    seen.add(id);
    if (feed.pressed.length <= feed.order.length) return;  // there before any press
    feed.order.push(id);
    const note = () => {
      if (card.checkVisibility()) feed.cards[id] = performance.now();
      else requestAnimationFrame(note);
    };
    note();
  };
  new MutationObserver((mutations) => {
    for (const mutation of mutations) {
      for (const node of mutation.addedNodes) {
        if (node.nodeType !== Node.ELEMENT_NODE) continue;
        if (node.matches("[data-job-id]")) cardShown(node);
        node.querySelectorAll("[data-job-id]").forEach(cardShown);
        node.querySelectorAll(".results img").forEach((picture) => {
          if (picture.complete && picture.naturalWidth) imageShown(picture);
        });
      }
    }
  }).observe(document, {childList: true, subtree: true});
})();
"""
# The htmx POST that answered the n-th press: request start → response end, in ms.
POST_TIME = """
(pressedAt) => {
  const posts = performance.getEntriesByType("resource").filter((entry) =>
    entry.initiatorType === "xmlhttprequest" && new URL(entry.name).pathname === "/generate/"
    && entry.startTime >= pressedAt);
  const post = posts[0];
  return post ? post.responseEnd - post.startTime : null;
}
"""


@dataclass
class Submit:
    job_id: str
    card_seconds: float  # Generate pressed → card visible
    post_seconds: float | None  # the POST's request start → response end
    image_shown_ms: float  # Date.now() at the result image's load event


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", type=int, default=20, help="submits from the dock")
    parser.add_argument("--database", choices=["sqlite", "postgres"])
    args = parser.parse_args()
    # What engine_throughput's Bench reads.
    args.task_seconds, args.threads, args.worker_log_level = 2.0, 20, "WARNING"
    return args


def open_studio(browser, base_url: str, username: str):
    """The studio page of a logged-in person, the model chosen and the push channel live."""
    from tests.fixtures.browser import choose_model, log_in_with_the_form

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30_000)
    context.add_init_script(WATCH_FEED)
    page = context.new_page()
    log_in_with_the_form(page, base_url, username)
    page.goto(f"{base_url}/")
    choose_model(page.get_by_label("Model"), label=MODEL_LABEL)
    page.wait_for_function("() => document.body.dataset.push === 'live'")
    return page


def submit_from_the_dock(page, number: int) -> Submit:
    """Press Generate once and wait for the job's card, then for its result image."""
    from tests.fixtures.browser import wait_for_htmx_quiet

    page.get_by_label("Prompt").fill(f"a buoy in the feed, study {number} [[delay:1.5]]")
    wait_for_htmx_quiet(page)  # the estimate and the budget follow the prompt
    page.get_by_role("button", name="Generate", exact=True).click()
    # Functions, not expressions: the page's Content-Security-Policy forbids evaluating strings.
    page.wait_for_function("(n) => __feed.order[n] in __feed.cards", arg=number)
    job_id = page.evaluate("(n) => __feed.order[n]", number)
    page.wait_for_function("(id) => id in __feed.images", arg=job_id)
    pressed, shown, image_ms = page.evaluate(
        "([n, id]) => [__feed.pressed[n], __feed.cards[id], __feed.images[id]]", [number, job_id]
    )
    post_ms = page.evaluate(POST_TIME, pressed)
    return Submit(
        job_id=job_id,
        card_seconds=(shown - pressed) / 1000,
        post_seconds=None if post_ms is None else post_ms / 1000,
        image_shown_ms=image_ms,
    )


def image_latencies(submits: list[Submit]) -> list[float]:
    """Seconds from each job's `finished_at` to its image's load event in the feed."""
    from jobs.models import Job

    rows = Job.objects.filter(pk__in=[submit.job_id for submit in submits])
    finished = {str(pk): at for pk, at in rows.values_list("pk", "finished_at")}
    return [
        submit.image_shown_ms / 1000 - finished[submit.job_id].timestamp() for submit in submits
    ]


def verdict(name: str, values: list[float], target: float) -> tuple[bool, str]:
    median = statistics.median(values)
    met = median <= target
    return met, f"{name} median {median * 1000:.0f} ms (target ≤ {target * 1000:.0f} ms): " + (
        "met" if met else "MISSED"
    )


def main() -> int:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-feed-") as folder:
        bench = Bench(args, Path(folder))
        try:
            bench.prepare()
            worker, _beat = bench.start_worker()
            setup_django(bench.env)
            wait_for_worker(worker, bench.queue)
            base_url = start_web(bench, "web", {})
            from playwright.sync_api import sync_playwright

            from tests.fixtures.browser import CHROMIUM, CHROMIUM_ARGS
            from tests.world import World

            world = World()  # the tests' world (tests/world.py): its editor and the sandbox
            world.sandbox_models()
            username = world.editor.get_username()
            before = machine()
            # Playwright's sync API runs an event loop; the ORM calls here are plain sync ones.
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = open_studio(browser, base_url, username)
                submits = [submit_from_the_dock(page, number) for number in range(args.jobs)]
                browser.close()
            print(f"database: {args.database}; machine before: {before}; after: {machine()}")
            return report(submits)
        finally:
            bench.close()


def report(submits: list[Submit]) -> int:
    """Print the figures; 0 when both medians meet their targets. Reads the jobs' rows."""
    cards = [submit.card_seconds for submit in submits]
    posts = [submit.post_seconds for submit in submits if submit.post_seconds is not None]
    images = image_latencies(submits)
    print(summary("Generate pressed → card visible", cards))
    if posts:
        print(summary("  of which the htmx POST (request start → response end)", posts))
    print(summary("provider done → image visible in the feed", images))
    card_met, card_line = verdict("card", cards, CARD_TARGET)
    image_met, image_line = verdict("image", images, IMAGE_TARGET)
    print(f"studio feed: {card_line}; {image_line}")
    return 0 if card_met and image_met else 1


if __name__ == "__main__":
    sys.exit(main())
