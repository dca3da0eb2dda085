"""Settings for the test suite: the production settings with test-friendly defaults.

Worker processes started by the tests use this module too, so they share the test database.
"""

import os

os.environ.setdefault("DJANGO_DEBUG", "true")
os.environ.setdefault("STUDIO_VAR_DIR", os.path.join(os.path.dirname(__file__), "..", "var", "test"))

from studio.settings import *  # noqa: E402, F403
from studio.settings import DATABASES, VAR_DIR  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast, tests only
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so that a real worker process sees what the test wrote.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
