"""Validation of the client's options and the API root they resolve to."""
import math
from dataclasses import dataclass, field
from typing import Any, Dict, Optional
from urllib.parse import urlsplit

from .errors import ConfigurationError

DEFAULT_BASE_URL = "http://localhost:8787"
DEFAULT_TIMEOUT = 30.0
API_VERSION_SEGMENT = "/v1"


@dataclass(frozen=True)
class ResolvedConfig:
    """Options after validation and defaults: what the HTTP layer needs."""

    api_url: str
    api_key: str
    timeout: float
    headers: Dict[str, str] = field(default_factory=dict)

    @property
    def root_url(self) -> str:
        """The server root (``api_url`` without ``/v1``), for the channel service's paths."""
        return self.api_url[: -len(API_VERSION_SEGMENT)]


def resolve_config(
    api_key: Any,
    base_url: Any = DEFAULT_BASE_URL,
    timeout: Any = DEFAULT_TIMEOUT,
    headers: Optional[Dict[str, str]] = None,
) -> ResolvedConfig:
    return ResolvedConfig(
        api_url=resolve_api_url(base_url),
        api_key=_resolve_api_key(api_key),
        timeout=_resolve_timeout(timeout),
        headers=_resolve_headers(headers),
    )


def _resolve_api_key(api_key: Any) -> str:
    if not isinstance(api_key, str) or api_key.strip() == "":
        raise ConfigurationError('api_key is required: SwitchboardClient(api_key="...") with a workspace API key')
    trimmed = api_key.strip()
    if not _is_header_safe(trimmed):
        raise ConfigurationError("api_key contains characters that cannot be sent in an HTTP header")
    return trimmed


def resolve_api_url(base_url: Any = DEFAULT_BASE_URL) -> str:
    """Turns the server root into the API root: validates it, strips trailing slashes and appends ``/v1`` once."""
    if base_url is None:
        base_url = DEFAULT_BASE_URL
    if not isinstance(base_url, str) or base_url.strip() == "":
        raise ConfigurationError(f"base_url must be a URL such as {DEFAULT_BASE_URL}")
    text = base_url.strip()
    try:
        parts = urlsplit(text)
        parts.port  # raises ValueError on a malformed port
    except ValueError:
        raise ConfigurationError(f'base_url is not a valid URL: "{base_url}" (expected something like {DEFAULT_BASE_URL})') from None
    if parts.scheme not in ("http", "https"):
        raise ConfigurationError(f'base_url must be an http:// or https:// URL, got "{base_url}"')
    if not parts.hostname:
        raise ConfigurationError(f'base_url is not a valid URL: "{base_url}" (expected something like {DEFAULT_BASE_URL})')
    if parts.username is not None or parts.password is not None:
        raise ConfigurationError("base_url must not contain credentials; pass the API key as api_key")
    if parts.query or parts.fragment or text.endswith("?") or text.endswith("#"):
        raise ConfigurationError(f'base_url must not contain a query string or fragment, got "{base_url}"')
    root = f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"
    return root if root.endswith(API_VERSION_SEGMENT) else root + API_VERSION_SEGMENT


def _resolve_timeout(timeout: Any) -> float:
    if timeout is None:
        return DEFAULT_TIMEOUT
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not math.isfinite(timeout) or timeout <= 0:
        raise ConfigurationError(f"timeout must be a positive number of seconds, got {timeout!r}")
    return float(timeout)


def _resolve_headers(headers: Any) -> Dict[str, str]:
    if headers is None:
        return {}
    if not isinstance(headers, dict):
        raise ConfigurationError("headers must be a dict of header names to string values")
    resolved: Dict[str, str] = {}
    for name, value in headers.items():
        if not isinstance(value, str):
            raise ConfigurationError(f'header "{name}" must have a string value')
        if not isinstance(name, str) or not name or not all(33 <= ord(c) <= 126 and c != ":" for c in name) or not _is_header_safe(value):
            raise ConfigurationError(f'header "{name}" is not a valid HTTP header')
        resolved[name.lower()] = value
    return resolved


def _is_header_safe(value: str) -> bool:
    return all(c == "\t" or 32 <= ord(c) <= 126 for c in value)
