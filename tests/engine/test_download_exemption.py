"""Result downloads: the provider's exemption is its own origin only, and errors tell no secrets."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from jobs.providers import ProviderError
from jobs.providers.download import download_image, is_public_address


@pytest.fixture
def internal_service() -> Iterator[tuple[int, socket.socket]]:
    """Another service on this machine (a port that is not the provider's): records connections."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.setblocking(False)
    yield listener.getsockname()[1], listener
    listener.close()


def was_contacted(listener: socket.socket) -> bool:
    try:
        connection, _ = listener.accept()
    except BlockingIOError:
        return False
    connection.close()
    return True


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_another_port_on_the_providers_host_is_not_exempt(sandbox, internal_service, host):
    port, listener = internal_service
    with pytest.raises(ProviderError) as caught:
        download_image(f"http://{host}:{port}/internal", provider_base_url=sandbox.base_url)
    assert caught.value.permanent
    assert "non-public" in caught.value.message
    assert not was_contacted(listener)


def test_another_scheme_on_the_providers_host_and_port_is_not_exempt(sandbox):
    other_scheme = sandbox.base_url.replace("http://", "https://") + "/files/x.png"
    with pytest.raises(ProviderError) as caught:
        download_image(other_scheme, provider_base_url=sandbox.base_url)
    assert "non-public" in caught.value.message
    assert not [r for r in sandbox.requests() if r["path"].startswith("/files/")]


def test_a_redirect_from_the_provider_to_another_internal_port_is_refused(
    sandbox, internal_service
):
    port, listener = internal_service
    start = f"{sandbox.base_url}/_sandbox/redirect?to=http://127.0.0.1:{port}/internal"
    with pytest.raises(ProviderError) as caught:
        download_image(start, provider_base_url=sandbox.base_url)
    assert "non-public" in caught.value.message
    assert not was_contacted(listener)


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("2002:7f00:1::1", False),  # 6to4 around 127.0.0.1
        ("2002:a00:1::1", False),  # 6to4 around 10.0.0.1
        ("2002:a9fe:a9fe::1", False),  # 6to4 around 169.254.169.254
        ("2002:808:808::1", True),  # 6to4 around 8.8.8.8
        ("2001:0:4136:e378:8000:63bf:80ff:fffe", False),  # Teredo around 127.0.0.1
        ("2001:0:4136:e378:8000:63bf:f5ff:fffe", False),  # Teredo around 10.0.0.1
    ],
)
def test_ipv4_wrapped_in_6to4_or_teredo_is_as_private_as_the_ipv4(address, public):
    assert is_public_address(address) is public


def test_errors_do_not_turn_downloads_into_a_port_scanner(sandbox, internal_service):
    """Refused, closed, missing or failing: the messages name no address, status or exception."""
    port, listener = internal_service
    listener.close()  # now a closed port on the provider's host
    provider = f"http://127.0.0.1:{port}"
    with pytest.raises(ProviderError) as closed:
        download_image(f"{provider}/x.png", provider_base_url=provider)
    with pytest.raises(ProviderError) as missing:
        download_image(f"{sandbox.base_url}/files/gone.png", provider_base_url=sandbox.base_url)
    with pytest.raises(ProviderError) as unknown:
        download_image("http://no-such-host.invalid/x.png", provider_base_url=sandbox.base_url)
    messages = " ".join(e.value.message for e in (closed, missing, unknown))
    for telltale in ("Connection", "refused", "404", "HTTP", "Errno", "Name or service"):
        assert telltale not in messages
