"""Pages returned by list methods and the query parameters that select them."""
from dataclasses import dataclass
from typing import Any, Dict, Generic, List, Mapping, Optional, TypeVar, Union

from .errors import ValidationError
from .types import PaginationRequest

T = TypeVar("T")

MAX_PAGE_SIZE = 1000

PaginationParams = Union[PaginationRequest, Mapping[str, Any], None]


@dataclass(frozen=True)
class PaginationMeta:
    page: int
    page_size: int
    total_count: int
    total_pages: int
    has_next_page: bool
    has_previous_page: bool

    @classmethod
    def from_wire(cls, meta: Mapping[str, Any]) -> "PaginationMeta":
        page_size = int(meta["pageSize"])
        total_count = int(meta["totalCount"])
        page = int(meta["page"])
        total_pages = int(meta.get("totalPages", -(-total_count // page_size) if page_size else 0))
        return cls(
            page=page,
            page_size=page_size,
            total_count=total_count,
            total_pages=total_pages,
            has_next_page=bool(meta.get("hasNextPage", page < total_pages)),
            has_previous_page=bool(meta.get("hasPreviousPage", page > 1)),
        )


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list: ``data`` holds the items, ``meta`` the position in the whole list."""

    data: List[T]
    meta: PaginationMeta

    def __iter__(self) -> Any:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)


def pagination_query(params: PaginationParams, **filters: Any) -> Dict[str, Optional[str]]:
    """Validates page selection (a PaginationRequest, or a dict with ``page`` and ``pageSize``/``page_size``)
    and returns it as query values, with any filters given."""
    if params is None:
        page, page_size = None, None
    elif isinstance(params, PaginationRequest):
        page, page_size = params.page, params.page_size
    elif isinstance(params, Mapping):
        page = params.get("page")
        page_size = params.get("pageSize", params.get("page_size"))
        for name in ("search", "status"):
            if name in params and filters.get(name) is None:
                filters[name] = params[name]
    else:
        raise ValidationError([{"field": "params", "message": "params must be a PaginationRequest or a dict"}])
    issues = []
    if page is not None and not _is_int_in(page, 1, None):
        issues.append({"field": "page", "message": "page must be a whole number of at least 1"})
    if page_size is not None and not _is_int_in(page_size, 1, MAX_PAGE_SIZE):
        issues.append({"field": "pageSize", "message": f"pageSize must be a whole number from 1 to {MAX_PAGE_SIZE}"})
    if issues:
        raise ValidationError(issues)
    query: Dict[str, Optional[str]] = {
        "page": None if page is None else str(page),
        "pageSize": None if page_size is None else str(page_size),
    }
    for name, value in filters.items():
        query[name] = None if value is None else str(value)
    return query


def _is_int_in(value: Any, low: int, high: Optional[int]) -> bool:
    if isinstance(value, bool) or not isinstance(value, int):
        return False
    return value >= low and (high is None or value <= high)
