"""Request parameter types shared by the resources."""
from dataclasses import dataclass
from typing import Optional


@dataclass
class PaginationRequest:
    """Page selection for list methods. Pages start at 1; the server defaults to page 1 of 20 (at most 1000)."""

    page: Optional[int] = None
    page_size: Optional[int] = None
