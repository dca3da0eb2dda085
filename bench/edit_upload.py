"""Server time of an edit request with a large upload for dall-e-2, and of the job's conversion.

dall-e-2 edits only square RGBA PNGs under 4 MB. The conversion used to run inside the web request
(4.3 s for a 16 Mpx upload); now the form only checks, the upload is stored as sent, and the job
converts where it builds its request. This times both halves on a throwaway SQLite database with
Django's test client (in-process: middleware, form, storage; no network). The job is not sent to a
worker: its conversion (`jobs.inputs.inputs_for_model`) is timed directly.

    .venv/bin/python bench/edit_upload.py [--side 4000] [--requests 3]

Target: the request under 1.5 s at 16 Mpx (4000x4000). Record what you measure in bench/README.md.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET_S = 1.5


def configure_django(var_dir: str) -> None:
    os.environ["STUDIO_VAR_DIR"] = var_dir
    os.environ["DATABASE_URL"] = f"sqlite:///{var_dir}/bench.sqlite3"
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ["DJANGO_HTTPS"] = "false"
    os.environ["SANDBOX_BASE_URL"] = "http://127.0.0.1:9"  # registered, never called
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio.settings")
    import django

    django.setup()


def photo_png(side: int) -> bytes:
    """A photo-like RGB PNG (smooth gradients plus grain), so it compresses like a real one."""
    from PIL import Image, ImageChops

    gradient = Image.linear_gradient("L").resize((side, side))
    grain = Image.effect_noise((side, side), 6)
    picture = Image.merge("RGB", (gradient, ImageChops.add(gradient, grain), grain))
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", type=int, default=4000)
    parser.add_argument("--requests", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-edit-") as var_dir:
        configure_django(var_dir)
        from django.contrib.auth import get_user_model
        from django.core.files.uploadedfile import SimpleUploadedFile
        from django.core.management import call_command
        from django.test.client import Client
        from django.test.utils import setup_test_environment

        from jobs.engine import build_request, queue
        from jobs.models import Job, ProviderModel

        setup_test_environment()  # the test client's host name is allowed
        queue.send_run = lambda job_id, countdown=0: None  # no worker here: the job is not run
        call_command("migrate", verbosity=0)
        call_command("loadproviders", str(ROOT / "jobs/sandbox/providers.toml"), verbosity=0)
        person = get_user_model().objects.create_user("bench-editor")
        client = Client()
        client.force_login(person)
        model = ProviderModel.objects.get(name="dall-e-2")
        picture = photo_png(args.side)
        print(f"upload: {args.side}x{args.side} RGB PNG, {len(picture) / 2**20:.1f} MiB")

        request_times, job_times = [], []
        for _ in range(args.requests):
            upload = SimpleUploadedFile("photo.png", picture, content_type="image/png")
            form = {"prompt": "make it stormy", "model": model.pk, "n": "1", "image": upload}
            started = time.perf_counter()
            response = client.post("/edit/", form)
            request_times.append(time.perf_counter() - started)
            assert response.status_code == 302, response.content[:2000]
            job = Job.objects.latest("created_at")
            started = time.perf_counter()
            request = build_request(job)  # reads the stored upload, converts it for dall-e-2
            job_times.append(time.perf_counter() - started)
            assert request.images[0].data.startswith(b"\x89PNG")

    request_median, job_median = statistics.median(request_times), statistics.median(job_times)
    verdict = "ok" if request_median < TARGET_S else "OVER TARGET"
    print(f"edit request (form, store upload) median {request_median:5.2f} s   ({verdict})")
    print(f"job: build the request (read, convert) median {job_median:5.2f} s")
    return 0 if request_median < TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
