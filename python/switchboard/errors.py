"""Errors raised by the SDK; the same classes as the TypeScript SDK (packages/sdk/src/errors.ts)."""
from typing import Any, Dict, List, Optional


class SwitchboardError(Exception):
    """Base class of every error the SDK raises; catch it to handle them all."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigurationError(SwitchboardError):
    """The client was constructed with unusable options (missing api_key, bad base_url, ...)."""


class ValidationError(SwitchboardError):
    """A request was rejected before it was sent because it breaks a validation rule.

    ``message`` is the message of the first rule broken; ``issues`` lists them all as
    ``{"field": ..., "message": ...}`` dicts.
    """

    def __init__(self, issues: List[Dict[str, str]]) -> None:
        super().__init__(issues[0]["message"] if issues else "Invalid request")
        self.issues = issues


class NetworkError(SwitchboardError):
    """The server could not be reached, or did not answer within the timeout."""

    def __init__(self, message: str, timeout: bool = False) -> None:
        super().__init__(message)
        self.timeout = timeout


class APIError(SwitchboardError):
    """The server answered with an error status. ``message`` is the server's own message.

    ``code`` is the body's error code (``NOT_FOUND``, ``VALIDATION_ERROR``, ...) or
    ``HTTP_<status>`` when the body had none; ``details`` is ``error.details`` (the field
    issues of a validation error); ``meta`` is the body's ``meta`` (empty dict when absent).
    """

    def __init__(
        self,
        status_code: int,
        code: str,
        message: str,
        details: Any = None,
        meta: Optional[Dict[str, Any]] = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.code = code
        self.details = details
        self.meta: Dict[str, Any] = meta if meta is not None else {}

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status_code={self.status_code}, code={self.code!r}, message={self.message!r})"


class AuthenticationError(APIError):
    """401: the API key is missing, unknown or revoked."""


class NotFoundError(APIError):
    """404: the resource does not exist (or belongs to another workspace)."""


class ConflictError(APIError):
    """409: the request conflicts with existing state, e.g. a channel identifier already in use."""


_BY_STATUS = {401: AuthenticationError, 404: NotFoundError, 409: ConflictError}


def create_api_error(
    status_code: int,
    code: str,
    message: str,
    details: Any = None,
    meta: Optional[Dict[str, Any]] = None,
) -> APIError:
    """Builds the most specific APIError subclass for a status code."""
    cls = _BY_STATUS.get(status_code, APIError)
    return cls(status_code, code, message, details, meta)
