"""Settings for the test suite: the production settings with test-friendly defaults.

Worker processes started by the tests are pointed at the test database by DATABASE_URL, so they
share what the test process wrote.
"""

import os

os.environ.setdefault("DJANGO_DEBUG", "true")
os.environ.setdefault(
    "STUDIO_VAR_DIR", os.path.join(os.path.dirname(__file__), "..", "var", "test")
)

from studio.settings import *  # noqa: F403
from studio.settings import DATABASES, VAR_DIR

# The suite's Redis: db 15 of the machine's (tests/fixtures/services.py falls back to an embedded
# one). Job events go there from the start: a test's settings override that ends restores the
# value it found, and must not find a developer's db 0, where the workers' partial images are not.
STUDIO_TEST_REDIS_URL = os.environ.get("STUDIO_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
STUDIO_EVENTS_REDIS_URL = STUDIO_TEST_REDIS_URL

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast, tests only

# One test database per test run, so that two runs on one machine never share (or delete) it.
_RUN = os.getpid()
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so that a real worker process sees what the test wrote.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{_RUN}.sqlite3")}
else:
    DATABASES["default"]["TEST"] = {"NAME": f"test_studio_{_RUN}"}

# Each test's Client builds its own middleware. Without autorefresh, WhiteNoise would walk every
# static file (the admin's too) each time, several CPU-seconds a run; with it, files are looked up
# when asked for.
WHITENOISE_AUTOREFRESH = True

# A worker the tests start may cut its hops sooner than the 10 s STUDIO_TASK_SOFT_TIME_LIMIT
# allows (STUDIO_TEST_HOP_SECONDS): a test that waits for a hop's deadline then waits seconds.
if os.environ.get("STUDIO_TEST_HOP_SECONDS"):
    CELERY_TASK_SOFT_TIME_LIMIT = int(os.environ["STUDIO_TEST_HOP_SECONDS"])
    CELERY_TASK_TIME_LIMIT = CELERY_TASK_SOFT_TIME_LIMIT + 30
