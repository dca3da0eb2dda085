"""Production serves the studio over ASGI, so waiting API calls hold no worker process."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_compose_runs_the_asgi_application_in_gunicorn_with_uvicorn_workers():
    from uvicorn_worker import UvicornWorker  # installed with the studio, as in the image

    web = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["web"]["command"]
    assert "gunicorn studio.asgi:application" in web
    assert "-k uvicorn_worker.UvicornWorker" in web
    assert UvicornWorker.CONFIG_KWARGS
