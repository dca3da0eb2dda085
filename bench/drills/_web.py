"""People using the studio over HTTP: log in, post the Generate form (as a browser would).

They are a crowd beyond the tests' cast, made as the tests make people (tests/world.py)."""

from __future__ import annotations

import re
import time
from pathlib import Path

import requests
from _studio import PYTHON, PrivateStudio, free_port, wait_until

from tests.world import PASSWORD

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def start_gunicorn(studio: PrivateStudio, workers: int = 3, threads: int = 1) -> str:
    port = free_port()
    gunicorn = str(Path(PYTHON).with_name("gunicorn"))
    studio.start(
        "web",
        [
            gunicorn,
            "studio.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--timeout",
            "60",
        ],
    )
    base = f"http://127.0.0.1:{port}"
    wait_until(lambda: _answers(f"{base}/healthz"), 60, message="gunicorn")
    return base


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).ok
    except requests.RequestException:
        return False


def create_people(studio: PrivateStudio, count: int) -> list[str]:
    names = [f"person{i:03d}" for i in range(count)]
    studio.django(
        "from django.contrib.auth import get_user_model\n"
        "from tests.world import create_person\n"
        f"for name in {names!r}:\n"
        "    get_user_model().objects.filter(username=name).exists() or create_person(name)\n"
    )
    return names


def model_id(studio: PrivateStudio, name: str) -> int:
    return studio.postgres.sql("SELECT id FROM jobs_providermodel WHERE name = %s", name)[0][0]


class Person:
    def __init__(self, base: str, username: str) -> None:
        self.base = base
        self.session = requests.Session()
        page = self.session.get(f"{base}/accounts/login/", timeout=30)
        token = CSRF_INPUT.search(page.text).group(1)
        done = self.session.post(
            f"{base}/accounts/login/",
            data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": f"{base}/accounts/login/"},
            timeout=30,
            allow_redirects=False,
        )
        if done.status_code != 302:
            raise RuntimeError(f"login of {username} failed: {done.status_code}")
        self.token = CSRF_INPUT.search(self.session.get(f"{base}/generate/", timeout=30).text)[1]

    def generate(self, model: int, prompt: str) -> tuple[int, float]:
        """(HTTP status, seconds) of one Generate post, without following the redirect."""
        start = time.perf_counter()
        try:
            answer = self.session.post(
                f"{self.base}/generate/",
                data={"prompt": prompt, "model": model, "csrfmiddlewaretoken": self.token},
                headers={"Referer": f"{self.base}/generate/"},
                timeout=60,
                allow_redirects=False,
            )
            status = answer.status_code
        except requests.RequestException:
            status = 0
        return status, time.perf_counter() - start
