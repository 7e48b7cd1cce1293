"""Sends authenticated JSON requests and maps answers to values or errors."""
import json
import socket
import urllib.error
import urllib.request
from typing import Any, Dict, Mapping, Optional, Tuple
from urllib.parse import quote, urlencode

from .config import ResolvedConfig
from .errors import APIError, NetworkError, create_api_error
from .pagination import Page, PaginationMeta
from .record import Record

INVALID_RESPONSE = "INVALID_RESPONSE"
"""Code used when the server's answer is not the documented JSON envelope."""

_EXCERPT_LENGTH = 200
_MISSING = object()

_CODE_BY_STATUS = {
    400: "VALIDATION_ERROR",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    409: "CONFLICT",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    429: "RATE_LIMITED",
    500: "INTERNAL",
}

Query = Optional[Mapping[str, Optional[str]]]


def api_path(template: str, *values: str) -> str:
    """``api_path('/agents/{}', id)``: fills each ``{}`` with the percent-encoded value."""
    return template.format(*(quote(v, safe="") for v in values))


class HttpClient:
    def __init__(self, config: ResolvedConfig) -> None:
        self._config = config

    def request(self, method: str, path: str, query: Query = None, body: Any = _MISSING) -> Any:
        """Sends a request below ``/v1`` and returns the envelope's ``data``."""
        status, reason, text = self._send(method, self._config.api_url + path + _query_string(query), body, "bearer")
        return _interpret(status, reason, text, f"{method} {path}")

    def request_page(self, method: str, path: str, query: Query = None) -> Page[Any]:
        """Sends a list request; the server nests the page in the envelope's ``data``
        (``{"success": true, "data": {"data": [...], "meta": {...}}}``)."""
        status, reason, text = self._send(method, self._config.api_url + path + _query_string(query), _MISSING, "bearer")
        data, meta = _interpret(status, reason, text, f"{method} {path}", with_meta=True)
        page = data if isinstance(data, dict) else {"data": data, "meta": meta}
        items, page_meta = page.get("data"), page.get("meta")
        if not isinstance(items, list) or not _is_meta(page_meta):
            raise APIError(200, INVALID_RESPONSE, f"Expected a paginated list ({{ data: {{ data: [...], meta }} }}) from {method} {path}")
        return Page(data=items, meta=PaginationMeta.from_wire(page_meta))

    def request_plain(self, method: str, path: str, query: Query = None, body: Any = _MISSING) -> Any:
        """Sends a request to a path from the server root (the channel service's ``/channel-service/...``),
        with the key as ``x-api-key``, and returns the parsed JSON body (no envelope)."""
        status, reason, text = self._send(method, self._config.root_url + path + _query_string(query), body, "x-api-key")
        json_body = _parse_json(text)
        if status < 200 or status >= 300:
            raise _error_from_response(status, reason, text, json_body)
        if text.strip() == "":
            return None
        if json_body is _MISSING:
            raise APIError(status, INVALID_RESPONSE, f"Expected JSON from {method} {path}, got: {_excerpt(text)}")
        return json_body

    def _send(self, method: str, url: str, body: Any, auth: str) -> Tuple[int, str, str]:
        headers: Dict[str, str] = {"accept": "application/json"}
        data: Optional[bytes] = None
        if body is not _MISSING:
            data = json.dumps(body).encode("utf-8")
            headers["content-type"] = "application/json"
        headers.update(self._config.headers)
        headers.pop("authorization", None)
        if auth == "x-api-key":
            headers["x-api-key"] = self._config.api_key
        else:
            headers["authorization"] = f"Bearer {self._config.api_key}"
        req = urllib.request.Request(url, data=data, headers=headers, method=method)
        timeout = self._config.timeout
        try:
            with urllib.request.urlopen(req, timeout=timeout) as response:
                return response.status, response.reason or "", response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            try:
                text = error.read().decode("utf-8", "replace")
            except (OSError, socket.timeout):
                text = ""
            return error.code, error.reason or "", text
        except urllib.error.URLError as error:
            if isinstance(error.reason, socket.timeout):
                raise NetworkError(f"{method} {url} timed out after {timeout:g} s", timeout=True) from error
            raise NetworkError(f"{method} {url} failed: {error.reason}") from error
        except socket.timeout as error:
            raise NetworkError(f"{method} {url} timed out after {timeout:g} s", timeout=True) from error
        except (OSError, ValueError) as error:
            raise NetworkError(f"{method} {url} failed: {error}") from error


def _interpret(status: int, reason: str, text: str, label: str, with_meta: bool = False) -> Any:
    """Maps a response to the envelope's ``data`` (and ``meta``), or raises the matching APIError."""
    body = _parse_json(text)
    ok = 200 <= status < 300
    if not ok or (isinstance(body, dict) and body.get("success") is False):
        raise _error_from_response(status, reason, text, body)
    if text.strip() == "":
        return (None, None) if with_meta else None
    if isinstance(body, dict) and body.get("success") is True and "data" in body:
        return (body["data"], body.get("meta")) if with_meta else body["data"]
    raise APIError(status, INVALID_RESPONSE, f"Expected a JSON envelope from {label}, got: {_excerpt(text)}")


def _error_from_response(status: int, reason: str, text: str, body: Any) -> APIError:
    line = f"HTTP {status} {reason}".rstrip()
    if isinstance(body, dict):
        nested = body.get("error") if isinstance(body.get("error"), dict) else {}
        status_code = status if status >= 400 else body["status"] if isinstance(body.get("status"), int) else status
        meta = body.get("meta") if isinstance(body.get("meta"), dict) else nested.get("meta") if isinstance(nested.get("meta"), dict) else {}
        return create_api_error(
            status_code,
            _string_or(body.get("code"), _string_or(nested.get("code"), _code_for(status_code))),
            _string_or(body.get("message"), _string_or(nested.get("message"), line)),
            nested["details"] if "details" in nested else body.get("details"),
            dict(meta),
        )
    excerpt = _excerpt(text)
    return create_api_error(status, _code_for(status), f"{line}: {excerpt}" if excerpt else line)


def _code_for(status: int) -> str:
    return _CODE_BY_STATUS.get(status, f"HTTP_{status}")


def _query_string(query: Query) -> str:
    pairs = [(k, v) for k, v in (query or {}).items() if v is not None]
    return "?" + urlencode(pairs) if pairs else ""


def _parse_json(text: str) -> Any:
    if text.strip() == "":
        return _MISSING
    try:
        return json.loads(text, object_hook=Record)
    except ValueError:
        return _MISSING


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat[:_EXCERPT_LENGTH] + "…" if len(flat) > _EXCERPT_LENGTH else flat


def _string_or(value: Any, fallback: str) -> str:
    return value if isinstance(value, str) and value != "" else fallback


def _is_meta(value: Any) -> bool:
    return isinstance(value, dict) and all(isinstance(value.get(k), int) and not isinstance(value.get(k), bool) for k in ("page", "pageSize", "totalCount"))
