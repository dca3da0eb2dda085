import pytest

from jobs.metrics import broker_redis, namespace
from studio.celery import app as celery_app


@pytest.fixture(autouse=True)
def fresh_metrics(redis_url):
    """Counters live in Redis for the whole run; each test here starts from zero."""
    client = broker_redis()
    for key in client.scan_iter(f"{namespace()}:metrics:*"):
        client.delete(key)


@pytest.fixture
def celery_conf():
    """`celery_conf(name=value)` changes the Celery app's configuration for one test."""
    saved = {}

    def change(**values):
        for name, value in values.items():
            saved.setdefault(name, celery_app.conf[name])
            celery_app.conf[name] = value

    yield change
    celery_app.conf.update(saved)
