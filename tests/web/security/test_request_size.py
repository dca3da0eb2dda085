"""An oversized request is refused from its Content-Length, before a byte of the body is read."""

from __future__ import annotations

import socket

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


class UnreadableBody:
    """A request body that fails the test if anyone reads it."""

    def read(self, *args) -> bytes:
        raise AssertionError("the body of an oversized request was read")

    readline = read


def post_declaring(client, path: str, length: int):
    return client.generic(
        "POST",
        path,
        data=b"x",
        content_type="multipart/form-data; boundary=xyz",
        **{"CONTENT_LENGTH": str(length), "wsgi.input": UnreadableBody()},
    )


@pytest.mark.parametrize("path", ["/edit/", "/accounts/login/", "/admin/login/"])
def test_a_request_over_the_limit_is_refused_unread(client, alice, path):
    client.force_login(alice)
    response = post_declaring(client, path, settings.STUDIO_REQUEST_MAX_BYTES + 1)
    assert response.status_code == 413
    assert "larger than the 100.0\xa0MB the studio accepts" in response.content.decode()


def test_a_request_at_the_limit_is_read(client, alice):
    client.force_login(alice)
    with pytest.raises(AssertionError, match="was read"):
        post_declaring(client, "/edit/", settings.STUDIO_REQUEST_MAX_BYTES)


def test_over_real_http_the_answer_comes_before_the_body_is_sent(live_server):
    """Only the headers are sent: a server that waited for the gigabyte would time out here."""
    host, port = live_server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(
            b"POST /edit/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: multipart/form-data; boundary=xyz\r\n"
            b"Content-Length: 1073741824\r\n\r\n"
        )
        answer = connection.recv(4096).decode(errors="replace")
    assert answer.startswith("HTTP/1.1 413")


# --- each file: nothing past STUDIO_UPLOAD_MAX_BYTES is kept --------------------------------------


def test_a_file_over_the_limit_is_refused_next_to_its_field(
    client, alice, sandbox_models, settings
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.STUDIO_UPLOAD_MAX_BYTES = 64 * 1024
    client.force_login(alice)
    big = SimpleUploadedFile("big.png", b"\x89PNG" + b"0" * 200_000, content_type="image/png")
    response = client.post(
        "/edit/",
        {"prompt": "p", "model": sandbox_models["gpt-image-1"].pk, "n": "1", "image": big},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["image"]
    assert errors == ["“big.png” is 195.3\xa0KB; the largest file we accept is 64.0\xa0KB."]


def test_the_handlers_behind_the_limit_receive_no_more_of_the_file(settings):
    """Django's own parser with our handler first and a recorder where memory/disk would be."""
    import io

    from django.core.files.uploadhandler import FileUploadHandler
    from django.http.multipartparser import MultiPartParser

    from studio.uploads import OversizedUpload, SizeLimitedUploadHandler

    class Recorder(FileUploadHandler):
        received = 0

        def receive_data_chunk(self, raw_data, start):
            Recorder.received += len(raw_data)
            return raw_data

        def file_complete(self, file_size):
            raise AssertionError("the recorder must not complete an oversized file")

    settings.STUDIO_UPLOAD_MAX_BYTES = 100 * 1024
    content = b"x" * (1024 * 1024)
    body = (
        b'--xyz\r\nContent-Disposition: form-data; name="image"; filename="big.png"\r\n'
        b"Content-Type: image/png\r\n\r\n" + content + b"\r\n--xyz--\r\n"
    )
    meta = {
        "CONTENT_TYPE": "multipart/form-data; boundary=xyz",
        "CONTENT_LENGTH": str(len(body)),
    }
    handlers = [SizeLimitedUploadHandler(), Recorder()]
    _post, files = MultiPartParser(meta, io.BytesIO(body), handlers).parse()
    upload = files["image"]
    assert isinstance(upload, OversizedUpload)
    assert (upload.name, upload.size, upload.read()) == ("big.png", len(content), b"")
    assert Recorder.received <= settings.STUDIO_UPLOAD_MAX_BYTES
