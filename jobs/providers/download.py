"""Fetching result images from URLs a provider handed us, without being turned against ourselves.

A URL is fetched only from the provider's own host or from hosts that resolve to public addresses
only, checked again on every redirect, with a size limit and a deadline. `data:` URIs are decoded.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import socket
import time
from urllib.parse import unquote_to_bytes, urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter

from .base import ProviderError
from .http import TRANSIENT_STATUSES, USER_AGENT, parse_retry_after

MAX_REDIRECTS = 5


def download_image(
    url: str,
    *,
    provider_base_url: str,
    max_bytes: int = 50 * 2**20,
    timeout: float = 60,
) -> bytes:
    """Fetch a result image without letting a provider point us at our own network.

    A URL is fetched only when its host is the provider's own host, or when every address its
    name resolves to is public. Redirects are followed by hand so each hop passes the same check.
    The key is never sent: result URLs are signed links, often on a CDN.
    """
    if url.startswith("data:"):
        return _limited(decode_data_uri(url), max_bytes)
    provider_host = (urlsplit(provider_base_url).hostname or "").lower()
    deadline = time.monotonic() + timeout
    current = url
    for _hop in range(MAX_REDIRECTS + 1):
        address = _fetchable_address(current, provider_host)
        response = _open_stream(current, address, timeout)
        with response:
            location = response.headers.get("location")
            if response.is_redirect and location:
                current = urljoin(current, location)
                continue
            _raise_for_download_status(response)
            return _read_limited(response, max_bytes, deadline)
    raise ProviderError(
        f"The image URL redirected more than {MAX_REDIRECTS} times.", permanent=True
    )


def decode_data_uri(uri: str) -> bytes:
    """Bytes of a `data:` URI (base64 or percent-encoded); ProviderError if it is broken."""
    header, sep, payload = uri.partition(",")
    if not sep or not header.startswith("data:"):
        raise ProviderError("The provider returned a malformed data: URI.", permanent=True)
    if header.endswith(";base64"):
        return decode_base64(payload)
    return unquote_to_bytes(payload)


def decode_base64(text: str) -> bytes:
    try:
        return base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ProviderError(
            "The provider returned invalid base64 image data.", permanent=True
        ) from None


def _fetchable_address(url: str, provider_host: str) -> str:
    """The address to connect to for `url`, once it has passed the check; ProviderError if not.

    The connection then goes to exactly this address, so a name that resolves differently a moment
    later (DNS rebinding) cannot send the download somewhere the check did not see.
    """
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        raise ProviderError(
            f"Refusing to download {url[:100]!r}: not an http(s) URL.", permanent=True
        )
    addresses = _resolve(host, parts.port or (443 if parts.scheme == "https" else 80))
    if host != provider_host:
        for address in addresses:
            if not is_public_address(address):
                raise ProviderError(
                    f"Refusing to download from {host}: it is not the provider's host and "
                    f"resolves to the non-public address {address}.",
                    permanent=True,
                )
    return addresses[0]


def _resolve(host: str, port: int) -> list[str]:
    try:
        return [str(ipaddress.ip_address(host))]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise ProviderError(
            f"Could not resolve the image host {host}: {exc}", permanent=False
        ) from None
    return sorted({info[4][0] for info in infos})


def is_public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone id
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


class _PinnedAddressAdapter(HTTPAdapter):
    """Connects to one address checked beforehand; TLS still verifies the URL's own host name."""

    def __init__(self, address: str) -> None:
        super().__init__(max_retries=0)
        self.address = address

    def build_connection_pool_key_attributes(self, request, verify, cert=None):
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(
            request, verify, cert
        )
        if host_params["scheme"] == "https":
            pool_kwargs["server_hostname"] = host_params["host"]
            pool_kwargs["assert_hostname"] = host_params["host"]
        host_params["host"] = self.address
        return host_params, pool_kwargs


def _host_header(url: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or ""
    host = f"[{host}]" if ":" in host else host
    return f"{host}:{parts.port}" if parts.port else host


def _open_stream(url: str, address: str, timeout: float) -> requests.Response:
    pinned = requests.Session()
    pinned.mount("http://", _PinnedAddressAdapter(address))
    pinned.mount("https://", _PinnedAddressAdapter(address))
    try:
        return pinned.get(
            url,
            stream=True,
            allow_redirects=False,
            timeout=(min(10.0, timeout), timeout),
            headers={"Accept": "image/*", "User-Agent": USER_AGENT, "Host": _host_header(url)},
        )
    except requests.Timeout:
        raise ProviderError("The image download timed out.", permanent=False) from None
    except requests.RequestException as exc:
        raise ProviderError(
            f"The image download failed ({type(exc).__name__}).", permanent=False
        ) from None


def _raise_for_download_status(response: requests.Response) -> None:
    status = response.status_code
    if status in TRANSIENT_STATUSES or status >= 500:
        raise ProviderError(
            f"The image host had a temporary problem (HTTP {status}).",
            permanent=False,
            status=status,
            retry_after=parse_retry_after(response.headers),
        )
    if status >= 400 or status < 200:
        raise ProviderError(
            f"The image URL answered HTTP {status}; the link may have expired.",
            permanent=True,
            status=status,
        )


def _read_limited(response: requests.Response, max_bytes: int, deadline: float) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise _too_large(max_bytes)
    chunks, total = [], 0
    try:
        for chunk in response.iter_content(chunk_size=64 * 1024):
            total += len(chunk)
            if total > max_bytes:
                raise _too_large(max_bytes)
            if time.monotonic() > deadline:
                raise ProviderError("The image download took too long.", permanent=False)
            chunks.append(chunk)
    except requests.RequestException as exc:
        raise ProviderError(
            f"The image download broke off ({type(exc).__name__}).", permanent=False
        ) from None
    return b"".join(chunks)


def _limited(data: bytes, max_bytes: int) -> bytes:
    if len(data) > max_bytes:
        raise _too_large(max_bytes)
    return data


def _too_large(max_bytes: int) -> ProviderError:
    return ProviderError(
        f"The image is larger than the {max_bytes // 2**20 or max_bytes} "
        f"{'MiB' if max_bytes >= 2**20 else 'byte'} limit.",
        permanent=True,
    )
