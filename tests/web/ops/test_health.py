"""/healthz and /readyz: liveness touches nothing; readiness names what is down."""

import time

import pytest

from jobs import health
from tests.fixtures.services import free_port, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def silent_studio(celery_conf):
    """A studio (its own queue, so its own heartbeat set) that no worker serves."""
    celery_conf(task_default_queue=f"silent-{time.monotonic_ns()}")


def test_healthz_answers_without_touching_any_dependency(
    client, celery_conf, django_assert_num_queries
):
    celery_conf(broker_url=f"redis://127.0.0.1:{free_port()}/0")
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_is_ok_once_a_worker_beats(client, celery_worker):
    response = wait_until(
        lambda: (r := client.get("/readyz")).status_code == 200 and r,
        30,
        0.5,
        message="readiness with a running worker",
    )
    assert response.json()["checks"] == {
        "database": "ok",
        "redis": "ok",
        "storage": "ok",
        "workers": "ok",
    }
    assert celery_worker.process.poll() is None


def test_readyz_names_the_workers_when_none_beat_recently(client, silent_studio):
    health.beat_once("celery@gone-host", now=time.time() - health.WORKER_SILENCE_SECONDS - 5)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["status"] == "down: workers"
    health.beat_once("celery@back-host")
    assert client.get("/readyz").status_code == 200


def test_readyz_names_redis_when_the_broker_does_not_answer(client, silent_studio, celery_conf):
    health.beat_once("celery@some-host")
    celery_conf(broker_url=f"redis://127.0.0.1:{free_port()}/0")
    response = client.get("/readyz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["redis"] == "down"
    assert checks["database"] == "ok"
    assert checks["storage"] == "ok"
    # The heartbeats live in the same Redis, so no worker can be seen either.
    assert response.json()["status"] == "down: redis, workers"


def test_readyz_names_storage_when_s3_does_not_answer(client, silent_studio, s3_storage, settings):
    health.beat_once("celery@some-host")
    assert client.get("/readyz").status_code == 200  # the S3 server answers
    settings.STORAGES["default"]["OPTIONS"]["endpoint_url"] = f"http://127.0.0.1:{free_port()}"
    settings.STORAGES = dict(settings.STORAGES)  # tell Django the storages changed
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["status"] == "down: storage"


def test_the_probes_are_not_redirected_to_https_and_need_no_login(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code in (200, 503)
    assert client.get("/generate/").status_code == 301
