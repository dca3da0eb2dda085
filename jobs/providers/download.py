"""Fetching result images from URLs a provider handed us, without being turned against ourselves.

A URL is fetched only from the provider's own origin (scheme, host and port of its base URL) or
from hosts that resolve to public addresses only, checked again on every redirect, with a size
limit and one deadline (`deadline.cut_off_at`; the hop's own deadline, when sooner, wins).
`data:` URIs are decoded. What goes wrong is told without raw connection errors or remote status
lines, so result URLs cannot be used to scan the network behind us.
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

from jobs import messages as texts
from jobs.messages import job_text

from .base import ProviderError
from .classify import TRANSIENT_STATUSES
from .deadline import check_hop_deadline, cut_off_at, read_timeout
from .http import USER_AGENT, parse_retry_after
from .origins import origin_of

MAX_REDIRECTS = 5


def download_image(
    url: str,
    *,
    provider_base_url: str,
    max_bytes: int = 50 * 2**20,
    timeout: float = 60,
) -> bytes:
    """Fetch a result image without letting a provider point us at our own network.

    A URL is fetched only when its origin is the provider's own (same scheme, host and port), or
    when every address its name resolves to is public. Redirects are followed by hand so each
    hop passes the same check.
    The key is never sent: result URLs are signed links, often on a CDN.
    """
    if url.startswith("data:"):
        if len(url) > max_bytes * 4 // 3 + 200:  # refuse before decoding, not after
            raise _too_large(max_bytes)
        return _limited(decode_data_uri(url), max_bytes)
    provider_origin = origin_of(provider_base_url)
    deadline = time.monotonic() + timeout
    current = url
    for _hop in range(MAX_REDIRECTS + 1):
        address = _fetchable_address(current, provider_origin)
        response = _open_stream(current, address, timeout)
        with response:
            location = response.headers.get("location")
            if response.is_redirect and location:
                current = urljoin(current, location)
                continue
            _raise_for_download_status(response)
            return _read_limited(response, max_bytes, deadline)
    raise ProviderError(job_text(texts.TOO_MANY_REDIRECTS, count=MAX_REDIRECTS), permanent=True)


def decode_data_uri(uri: str) -> bytes:
    """Bytes of a `data:` URI (base64 or percent-encoded); ProviderError if it is broken."""
    header, sep, payload = uri.partition(",")
    if not sep or not header.startswith("data:"):
        raise ProviderError(job_text(texts.BAD_DATA_URI), permanent=True)
    if header.endswith(";base64"):
        return decode_base64(payload)
    return unquote_to_bytes(payload)


def decode_base64(text: str) -> bytes:
    try:
        return base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ProviderError(job_text(texts.BAD_BASE64_DATA), permanent=True) from None


def _fetchable_address(url: str, provider_origin: tuple[str, str, int | None]) -> str:
    """The address to connect to for `url`, once it has passed the check; ProviderError if not.

    The connection then goes to exactly this address, so a name that resolves differently a moment
    later (DNS rebinding) cannot send the download somewhere the check did not see.
    """
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        raise ProviderError(job_text(texts.NOT_HTTP_URL, url=repr(url[:100])), permanent=True)
    origin = origin_of(url)
    if origin[2] is None:
        raise ProviderError(job_text(texts.BAD_PORT, url=repr(url[:100])), permanent=True)
    addresses = _resolve(host, origin[2])
    if origin != provider_origin and not all(map(is_public_address, addresses)):
        raise ProviderError(job_text(texts.PRIVATE_ADDRESS, host=host), permanent=True)
    return addresses[0]


def _resolve(host: str, port: int) -> list[str]:
    try:
        return [str(ipaddress.ip_address(host))]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError:
        raise ProviderError(job_text(texts.UNRESOLVABLE_HOST, host=host), permanent=False) from None
    return sorted({str(info[4][0]) for info in infos})


def is_public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone id
    if isinstance(ip, ipaddress.IPv6Address):
        # IPv4 wrapped in IPv6 (mapped, 6to4, Teredo) is as public as the IPv4 inside it.
        wrapped = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if wrapped is not None:
            ip = wrapped
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
            # urllib3 takes these pool arguments; types-requests lists only the ones requests sets.
            pool_kwargs["server_hostname"] = host_params["host"]  # type: ignore[typeddict-unknown-key]
            pool_kwargs["assert_hostname"] = host_params["host"]  # type: ignore[typeddict-unknown-key]
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
    timeout = read_timeout(timeout)  # no wait for the headers outlasts the hop
    try:
        return pinned.get(
            url,
            stream=True,
            allow_redirects=False,
            timeout=(min(10.0, timeout), timeout),
            headers={"Accept": "image/*", "User-Agent": USER_AGENT, "Host": _host_header(url)},
        )
    except requests.Timeout:
        check_hop_deadline()
        raise ProviderError(job_text(texts.DOWNLOAD_TIMEOUT), permanent=False) from None
    except requests.RequestException:
        raise ProviderError(job_text(texts.DOWNLOAD_FAILED), permanent=False) from None


def _raise_for_download_status(response: requests.Response) -> None:
    status = response.status_code
    if status in TRANSIENT_STATUSES or status >= 500:
        raise ProviderError(
            job_text(texts.HOST_TEMPORARY_PROBLEM),
            permanent=False,
            status=status,
            retry_after=parse_retry_after(response.headers),
        )
    if status >= 400 or status < 200:
        raise ProviderError(
            job_text(texts.LINK_EXPIRED),
            permanent=True,
            status=status,
        )


def _read_limited(response: requests.Response, max_bytes: int, deadline: float) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise _too_large(max_bytes)
    chunks, total = [], 0
    try:
        with cut_off_at(deadline, response):  # or at the hop's deadline, if that comes first
            for chunk in response.iter_content(chunk_size=64 * 1024):
                total += len(chunk)
                if total > max_bytes:
                    raise _too_large(max_bytes)
                chunks.append(chunk)
    except requests.RequestException:
        check_hop_deadline()  # the hop's deadline came first: the job ends, it is not retried
        if time.monotonic() >= deadline:
            raise _too_slow() from None
        raise ProviderError(job_text(texts.DOWNLOAD_BROKE_OFF), permanent=False) from None
    check_hop_deadline()
    if time.monotonic() >= deadline:
        raise _too_slow()
    return b"".join(chunks)


def _too_slow() -> ProviderError:
    return ProviderError(job_text(texts.DOWNLOAD_TOO_LONG), permanent=False)


def _limited(data: bytes, max_bytes: int) -> bytes:
    if len(data) > max_bytes:
        raise _too_large(max_bytes)
    return data


def _too_large(max_bytes: int) -> ProviderError:
    if max_bytes >= 2**20:
        return ProviderError(job_text(texts.TOO_LARGE_MIB, size=max_bytes // 2**20), permanent=True)
    return ProviderError(job_text(texts.TOO_LARGE_BYTES, size=max_bytes), permanent=True)
