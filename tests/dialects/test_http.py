"""The one HTTP client: error mapping, retry timing, redaction and safe downloads."""

from __future__ import annotations

import base64
import socket
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from jobs.dialects import get_dialect
from jobs.engine.retry import retry_delay
from jobs.providers import Endpoint, ImageRequest, ProviderError
from jobs.providers.classify import classify_error
from jobs.providers.download import download_image, is_public_address
from jobs.providers.http import parse_retry_after
from jobs.providers.redaction import redact
from tests.dialects.helpers import png
from tests.fixtures.sandbox import SANDBOX_API_KEY

openai = get_dialect("openai")


def submit_error(endpoint: Endpoint, prompt: str, model: str = "dall-e-2") -> ProviderError:
    with pytest.raises(ProviderError) as caught:
        openai.submit(
            endpoint, ImageRequest(model=model, prompt=prompt, params={"size": "256x256"})
        )
    return caught.value


# --- error mapping over real HTTP ------------------------------------------------------------


def test_429_is_transient_with_the_retry_after_of_the_answer(sandbox, sandbox_endpoint):
    error = submit_error(sandbox_endpoint, "a cat [[fault:429:1:3]]")

    assert (error.permanent, error.status, error.retry_after) == (False, 429, 3.0)
    # The fault fired once: the same prompt now goes through.
    openai.submit(
        sandbox_endpoint, ImageRequest(model="dall-e-2", prompt="a cat [[fault:429:1:3]]")
    )
    assert len(sandbox.requests()) == 2


def test_500_is_transient(sandbox_endpoint):
    error = submit_error(sandbox_endpoint, "a cat [[fault:500:1]]")

    assert (error.permanent, error.status, error.retry_after) == (False, 500, None)
    assert error.message.startswith("The provider had a temporary problem (HTTP 500)")


def test_a_429_for_insufficient_quota_is_permanent(sandbox_endpoint):
    error = submit_error(sandbox_endpoint, "a cat [[fault:quota]]")

    assert (error.permanent, error.status, error.code) == (True, 429, "insufficient_quota")
    assert "quota" in error.message


@pytest.mark.parametrize(
    ("model", "code"),
    [("dall-e-2", "content_policy_violation"), ("gpt-image-1", "moderation_blocked")],
)
def test_a_policy_refusal_is_permanent_and_shows_the_providers_words(sandbox_endpoint, model, code):
    error = submit_error(sandbox_endpoint, "a cat [[fault:policy]]", model=model)

    assert (error.permanent, error.status, error.code) == (True, 400, code)
    assert error.message == (
        "The provider refused the prompt: "
        "Your request was rejected as a result of our safety system."
    )


def test_malformed_json_is_a_permanent_provider_error(sandbox_endpoint):
    error = submit_error(sandbox_endpoint, "a cat [[fault:malformed]]")

    assert error.permanent
    assert "not JSON" in error.message


def test_the_key_never_appears_in_an_error_even_when_the_service_echoes_it(sandbox):
    key = "sk-bad-4f9c2e1d8b7a6"
    endpoint = Endpoint(base_url=sandbox.base_url, api_key=key)

    error = submit_error(endpoint, "a cat")

    assert (error.permanent, error.status) == (True, 401)
    assert "[redacted]" in error.message
    for text in (error.message, str(error), repr(error), repr(endpoint)):
        assert key not in text
    # It was sent, though: the sandbox saw it.
    assert sandbox.requests()[0]["headers"]["Authorization"] == f"Bearer {key}"


def test_an_unreachable_provider_is_a_transient_error():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    endpoint = Endpoint(base_url=f"http://127.0.0.1:{closed_port}", api_key=SANDBOX_API_KEY)

    error = submit_error(endpoint, "a cat")

    assert not error.permanent
    assert SANDBOX_API_KEY not in error.message


def test_a_slow_provider_hits_the_read_timeout_as_a_transient_error(sandbox):
    endpoint = Endpoint(base_url=sandbox.base_url, api_key="k", read_timeout=0.2)

    error = submit_error(endpoint, "a cat [[delay:1]]")

    assert not error.permanent
    assert "did not answer in time" in error.message


# --- classification rules that need no server ----------------------------------------------------


@pytest.mark.parametrize(
    ("status", "permanent"),
    [(400, True), (401, True), (403, True), (404, True), (422, True), (451, True),
     (408, False), (409, False), (429, False), (500, False), (502, False), (503, False)],
)  # fmt: skip
def test_http_statuses_map_to_permanent_or_transient(status, permanent):
    error = classify_error(status=status, code=None, message="nope", api_key="k")

    assert error.permanent is permanent


def test_x_should_retry_overrides_the_status():
    assert classify_error(
        status=500, code=None, message="m", api_key="k", should_retry=False
    ).permanent
    assert not classify_error(
        status=400, code=None, message="m", api_key="k", should_retry=True
    ).permanent


def test_x_should_retry_cannot_make_a_billing_failure_retryable():
    error = classify_error(
        status=429, code="insufficient_quota", message="m", api_key="k", should_retry=True
    )
    assert error.permanent


def test_envelope_errors_read_busy_and_policy_words():
    busy = classify_error(status=200, code="500", message="系统繁忙, try again later", api_key="k")
    refused = classify_error(status=200, code="1301", message="内容违规", api_key="k")
    other = classify_error(status=200, code="1001", message="bad model", api_key="k")

    assert not busy.permanent
    assert refused.permanent
    assert refused.message.startswith("The provider refused the prompt")
    assert other.permanent


def test_retry_after_headers():
    in_an_hour = format_datetime(datetime.now(UTC) + timedelta(hours=1), usegmt=True)

    assert parse_retry_after({"retry-after-ms": "1500", "retry-after": "9"}) == 1.5
    assert parse_retry_after({"retry-after": "7"}) == 7.0
    assert 3500 < parse_retry_after({"retry-after": in_an_hour}) <= 3600
    assert parse_retry_after({"retry-after": "soon"}) is None
    assert parse_retry_after({}) is None


def test_retry_delay_backs_off_with_jitter_and_honours_retry_after():
    plain = ProviderError("x", permanent=False)

    assert all(1.0 <= retry_delay(1, plain) <= 2.0 for _ in range(50))
    assert all(2.0 <= retry_delay(2, plain) <= 4.0 for _ in range(50))
    assert all(30.0 <= retry_delay(12, plain) <= 60.0 for _ in range(50))
    assert len({retry_delay(3, plain) for _ in range(20)}) > 1  # jitter
    told = ProviderError("x", permanent=False, retry_after=5)
    assert all(5.0 <= retry_delay(1, told) <= 5.5 for _ in range(20))
    assert retry_delay(1, ProviderError("x", permanent=False, retry_after=3600)) == 60.0


def test_redact_removes_the_key_and_any_bearer_token():
    text = "key sk-abc123 in header Authorization: Bearer sk-other-token"

    assert redact(text, "sk-abc123") == (
        "key [redacted] in header Authorization: Bearer [redacted]"
    )


# --- downloads -------------------------------------------------------------------------------


@pytest.fixture
def result_url(sandbox, sandbox_endpoint) -> str:
    """A real result file on the sandbox, reached as 127.0.0.1."""
    request = ImageRequest(
        model="dall-e-2", prompt="a pear", response_format="url", params={"size": "256x256"}
    )
    url = openai.submit(sandbox_endpoint, request).images[0].url
    assert url.startswith("http://127.0.0.1:")
    return url


def file_downloads(sandbox) -> list[dict]:
    return [r for r in sandbox.requests() if r["path"].startswith("/files/")]


def test_a_url_on_the_providers_own_host_is_downloaded_without_the_key(sandbox, result_url):
    data = download_image(result_url, provider_base_url=sandbox.base_url)

    assert data.startswith(b"\x89PNG")
    (download,) = file_downloads(sandbox)
    assert "Authorization" not in download["headers"]


def test_a_non_public_host_that_is_not_the_provider_is_refused(sandbox, result_url):
    as_localhost = result_url.replace("127.0.0.1", "localhost")

    with pytest.raises(ProviderError) as caught:
        download_image(as_localhost, provider_base_url=sandbox.base_url)

    assert caught.value.permanent
    assert "non-public" in caught.value.message
    assert file_downloads(sandbox) == []


def test_a_redirect_to_a_non_public_host_is_refused(sandbox, result_url):
    provider = sandbox.base_url.replace("127.0.0.1", "localhost")
    start = f"{provider}/_sandbox/redirect?to={result_url}"

    with pytest.raises(ProviderError) as caught:
        download_image(start, provider_base_url=provider)

    assert caught.value.permanent
    assert "127.0.0.1" in caught.value.message
    assert file_downloads(sandbox) == []


def test_a_redirect_within_the_provider_is_followed(sandbox, result_url):
    path = result_url.removeprefix(sandbox.base_url)
    start = f"{sandbox.base_url}/_sandbox/redirect?to={path}"

    assert download_image(start, provider_base_url=sandbox.base_url).startswith(b"\x89PNG")


def test_a_download_over_the_size_limit_is_refused(sandbox, result_url):
    with pytest.raises(ProviderError) as caught:
        download_image(result_url, provider_base_url=sandbox.base_url, max_bytes=100)

    assert caught.value.permanent
    assert "larger than" in caught.value.message


def test_an_expired_url_is_a_permanent_error(sandbox):
    with pytest.raises(ProviderError) as caught:
        download_image(f"{sandbox.base_url}/files/gone.png", provider_base_url=sandbox.base_url)

    assert (caught.value.permanent, caught.value.status) == (True, 404)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/x.png", "gopher://x"])
def test_only_http_urls_are_fetched(url):
    with pytest.raises(ProviderError) as caught:
        download_image(url, provider_base_url="https://api.example.com")

    assert caught.value.permanent


def test_data_uris_are_decoded():
    image = png(8, 8)
    uri = "data:image/png;base64," + base64.b64encode(image).decode()

    assert download_image(uri, provider_base_url="https://api.example.com") == image
    with pytest.raises(ProviderError):
        download_image(uri, provider_base_url="https://api.example.com", max_bytes=10)


@pytest.mark.parametrize(
    ("address", "public"),
    [("8.8.8.8", True), ("2606:4700:4700::1111", True), ("10.1.2.3", False),
     ("172.16.0.1", False), ("192.168.1.1", False), ("127.0.0.1", False), ("::1", False),
     ("169.254.169.254", False), ("fe80::1", False), ("224.0.0.1", False), ("0.0.0.0", False),  # noqa: S104
     ("240.0.0.1", False), ("::ffff:127.0.0.1", False), ("100.64.0.1", False)],
)  # fmt: skip
def test_public_addresses(address, public):
    assert is_public_address(address) is public


def test_the_download_connects_to_the_address_that_was_checked_not_a_new_lookup(
    sandbox, monkeypatch
):
    """DNS rebinding: the name passes the check as one address, then resolves to a private one."""
    import socket

    from jobs.providers import download

    port = int(sandbox.base_url.rsplit(":", 1)[1])
    answers = iter(["127.0.0.2", "127.0.0.1", "127.0.0.1"])  # checked first, "rebound" after
    real_getaddrinfo = socket.getaddrinfo

    def fake_getaddrinfo(host, *args, **kwargs):
        if host != "images.rebind.example":
            return real_getaddrinfo(host, *args, **kwargs)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))]

    monkeypatch.setattr(download.socket, "getaddrinfo", fake_getaddrinfo)
    # 127.0.0.2 stands in for a public address; the sandbox listens on 127.0.0.1 only.
    monkeypatch.setattr(download, "is_public_address", lambda address: address == "127.0.0.2")

    with pytest.raises(ProviderError) as caught:
        download_image(
            f"http://images.rebind.example:{port}/files/x.png",
            provider_base_url="https://api.provider.example",
        )
    assert caught.value.permanent is False  # nothing answers at the checked address
    assert not [r for r in sandbox.requests() if r["path"].startswith("/files/")]
