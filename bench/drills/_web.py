"""People using the studio over HTTP: log in, post the Generate form (as a browser would)."""

from __future__ import annotations

import re
import time
from pathlib import Path

import requests
from _world import PYTHON, World, free_port, wait_until

PASSWORD = "drill-pass-word-1"
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def start_gunicorn(world: World, workers: int = 3, threads: int = 1) -> str:
    port = free_port()
    gunicorn = str(Path(PYTHON).with_name("gunicorn"))
    world.start(
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


def create_people(world: World, count: int) -> list[str]:
    names = [f"person{i:03d}" for i in range(count)]
    script = (
        "import django; django.setup()\n"
        "from django.contrib.auth import get_user_model\n"
        "User = get_user_model()\n"
        f"for name in {names!r}:\n"
        f"    User.objects.filter(username=name).exists() or "
        f"User.objects.create_user(name, password={PASSWORD!r})\n"
    )
    import subprocess

    subprocess.run(
        [PYTHON, "-c", script],
        cwd=Path(__file__).parents[2],
        env=world.env,
        check=True,
        timeout=300,
    )
    return names


def model_id(world: World, name: str) -> int:
    return world.postgres.sql("SELECT id FROM jobs_providermodel WHERE name = %s", name)[0][0]


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
