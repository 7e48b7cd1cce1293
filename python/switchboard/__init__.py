"""Python client for the Switchboard API (standard library only)."""
from .client import SwitchboardClient
from .errors import (
    APIError,
    AuthenticationError,
    ConfigurationError,
    ConflictError,
    NetworkError,
    NotFoundError,
    SwitchboardError,
    ValidationError,
)
from .identity import user_hash
from .pagination import Page, PaginationMeta
from .record import Record
from .types import PaginationRequest

__version__ = "0.1.0"

__all__ = [
    "SwitchboardClient",
    "SwitchboardError",
    "ConfigurationError",
    "ValidationError",
    "NetworkError",
    "APIError",
    "AuthenticationError",
    "NotFoundError",
    "ConflictError",
    "Page",
    "PaginationMeta",
    "PaginationRequest",
    "Record",
    "user_hash",
]
