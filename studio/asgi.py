"""The ASGI entry point (uvicorn): what `make run` and docker-compose serve.

Under ASGI an API call waiting for its job is a suspended coroutine, not a busy thread or
process, so pages stay quick while scripts wait (see studio/api/waiting.py).
"""

import os

from django.core.asgi import get_asgi_application

from studio.body_limit import BodySizeLimit

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio.settings")
# Django's advice for ASGI: no persistent database connections (a request's thread ends with it).
os.environ.setdefault("STUDIO_DB_CONN_MAX_AGE", "0")
# Django's handler reads the whole body before any middleware runs, so the request size limit
# stands in front of it (RequestSizeLimitMiddleware only holds under WSGI).
application = BodySizeLimit(get_asgi_application())
