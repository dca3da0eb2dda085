"""Zip downloads under uvicorn (how `make run` and compose serve the studio), issue 19 finding 6.

Django serves a synchronous iterator under ASGI only after turning it into a list, which would
hold every original of the download in the web process at once; the zip must stream instead.
"""

from __future__ import annotations

import io
import os
import re
import uuid
import zipfile

import pytest
import requests
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client

from jobs.models import Image
from tests.world import make_image

pytestmark = [pytest.mark.django_db(transaction=True)]

IMAGES = 40
IMAGE_BYTES = 2**20  # 40 MiB in all: far more than the sockets' buffers between us and uvicorn
LATE = b"the last original, stored after the download began"


def logged_in(url: str, person) -> requests.Session:
    """A session of `person`'s, with the CSRF token of a page's forms."""
    browser = Client()
    browser.force_login(person)
    session = requests.Session()
    session.cookies.set(
        settings.SESSION_COOKIE_NAME, browser.cookies[settings.SESSION_COOKIE_NAME].value
    )
    page = session.get(f"{url}/history/", timeout=10)
    session.csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]
    return session


@pytest.fixture
def originals():
    """`originals(image, data)` stores an original under the image's (new, unique) file name;
    the files go when the test ends (40 MiB a run would pile up)."""
    stored: list[str] = []

    def store(image, data: bytes | None) -> None:
        if data is None:  # a name only: the file comes later
            image.file.name = f"zip-test/{uuid.uuid4().hex}.png"
            image.save(update_fields=["file"])
            return
        name = image.file.name if image.file.name.startswith("zip-test/") else None
        saved = default_storage.save(name or f"zip-test/{uuid.uuid4().hex}.png", ContentFile(data))
        assert name in (None, saved)
        stored.append(saved)
        Image.objects.filter(pk=image.pk).update(file=saved, bytes=len(data))

    yield store
    for name in stored:
        default_storage.delete(name)


def test_a_zip_streams_one_image_at_a_time(studio_server, alice, originals, tmp_path_factory):
    images = [make_image(alice, prompt=f"frame {number}") for number in range(IMAGES)]
    for image in images[1:]:
        originals(image, os.urandom(IMAGE_BYTES))
    last_in_the_zip = images[0]  # the oldest: the zip lists the newest first
    originals(last_in_the_zip, None)
    session = logged_in(studio_server, alice)
    # The server is shared by the file's tests: read only what this download adds to its log.
    logs = list(tmp_path_factory.getbasetemp().glob("web*/uvicorn.log"))
    log_sizes = {log: log.stat().st_size for log in logs}
    with session.post(
        f"{studio_server}/history/download/",
        data={"image": [str(image.pk) for image in images], "csrfmiddlewaretoken": session.csrf},
        stream=True,
        timeout=30,
    ) as response:
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "application/zip"
        chunks = response.iter_content(64 * 1024)
        first = next(chunks)
        # The first bytes are here, and the server has not read the last original yet: a server
        # that built the whole archive first would have found it missing and left it out.
        originals(last_in_the_zip, LATE)
        archive = zipfile.ZipFile(io.BytesIO(first + b"".join(chunks)))
    assert archive.testzip() is None
    assert len(archive.namelist()) == IMAGES
    assert archive.read(archive.namelist()[-1]) == LATE
    assert not any(
        b"must consume synchronous iterators" in log.read_bytes()[log_sizes[log] :] for log in logs
    )
