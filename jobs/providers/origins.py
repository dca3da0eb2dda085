"""Origins (scheme, host, port), and the one check of where a provider's key may be sent.

The key goes only to the origin of the provider's base URL. docs/contracts.md reserves an
`allowed_hosts` provider setting (hosts where polling and result URLs may take the key): it would
widen `key_may_go_to`, and nothing else.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import urllib3.util

Origin = tuple[str, str, int | None]


def origin_of(url: str) -> Origin:
    """(scheme, host, port) with the scheme's default port filled in; ValueError-free."""
    parts = urlsplit(url)
    try:
        port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    except ValueError:  # a port that is not a number
        port = None
    return parts.scheme, (parts.hostname or "").lower(), port


def key_may_go_to(url: str, base_url: str) -> bool:
    """Whether a request to `url` may carry the key of the provider at `base_url`: only on the
    base URL's own origin, read alike by the standard library and by urllib3 (which sends it)."""
    wanted = origin_of(base_url)
    if wanted[2] is None or origin_of(url) != wanted:
        return False
    try:
        sent_to = urllib3.util.parse_url(url)
    except ValueError:  # urllib3's LocationParseError
        return False
    port = sent_to.port or {"http": 80, "https": 443}.get(sent_to.scheme or "")
    return (sent_to.scheme, (sent_to.host or "").lower().strip("[]"), port) == (
        wanted[0],
        wanted[1].strip("[]"),
        wanted[2],
    )
