"""The studio served as in production (uvicorn, ASGI) for the API tests, with tokens and clients.

The server is a real process sharing this run's test database, broker and files, like the worker
(tests/fixtures/services.py); it waits at most API_WAIT_SECONDS for a job, so the 504 of a job that
outlives the wait is quick to see.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator

import openai
import pytest

from studio.api.tokens import create_token
from tests.api.client_helpers import openai_client
from tests.fixtures.services import ROOT, free_port, wait_until, worker_env

API_WAIT_SECONDS = 8


def _answers(url: str) -> bool:
    import requests

    try:
        return requests.get(f"{url}/accounts/login/", timeout=1).status_code == 200
    except requests.RequestException:
        return False


@pytest.fixture(scope="session")
def studio_server(redis_url, django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[str]:
    """The base URL of a uvicorn process serving studio.asgi."""
    with django_db_blocker.unblock():
        env = worker_env(redis_url, {"STUDIO_API_WAIT_SECONDS": str(API_WAIT_SECONDS)})
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "studio.asgi:application", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--log-level", "warning"]
    log_path = tmp_path_factory.mktemp("web") / "uvicorn.log"
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: process.poll() is None and _answers(url), 60, 0.2, f"web ({log_path})")
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(20)


@pytest.fixture
def api_world(studio_server, celery_worker, sandbox_models) -> Iterator[dict]:
    """Everything an API call needs: the server, a worker, the sandbox's models registered.

    Afterwards it waits until the worker has finished every job (see wait_for_every_job_to_end).
    """
    yield {"url": studio_server, "models": sandbox_models}
    wait_for_every_job_to_end()


@pytest.fixture
def bearer(alice, sandbox_models) -> dict:
    """Test-client headers carrying a fresh personal token of alice's."""
    _, secret = create_token(alice, name="tests")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def make_token(api_world):
    """`make_token(user, **options) -> (ApiToken, secret)`."""

    def make(user, **options):
        options.setdefault("name", "script")
        return create_token(user, **options)

    return make


@pytest.fixture
def api_client(api_world):
    """`api_client(secret) -> openai.OpenAI` pointed at the studio; no automatic retries."""

    def make(secret: str, **options) -> openai.OpenAI:
        return openai_client(f"{api_world['url']}/v1", secret, **options)

    return make


@pytest.fixture
def alice_api(make_token, api_client, alice):
    """alice's client with a personal token for every model, and that token."""
    token, secret = make_token(alice)
    client = api_client(secret)
    client.token = token
    return client


def wait_for_every_job_to_end(timeout: float = 40) -> None:
    """Tests that leave jobs to the worker wait for them: the database is emptied after each test,
    and a worker still writing a job's rows then would deadlock with it."""
    from jobs.models import Job
    from jobs.models.job import FINAL_STATUSES

    wait_until(
        lambda: not Job.objects.exclude(status__in=FINAL_STATUSES).exists(),
        timeout,
        0.2,
        "every job to end",
    )
