from typing import Any

from ..http import api_path
from ..pagination import Page, PaginationParams, pagination_query
from ..record import Record
from ..validation import require_id, same_id, to_body
from ._base import Resource, deleted


class CollectionResource(Resource):
    """create / list / get / update(id, request) on one collection below ``/v1``."""

    _collection = ""
    _update_method = "PATCH"

    def create(self, request: Any) -> Record:
        return self._http.request("POST", self._collection, body=to_body(request))

    def list(self, params: PaginationParams = None) -> Page[Record]:
        return self._http.request_page("GET", self._collection, pagination_query(params))

    def get(self, id: str) -> Record:
        require_id(id)
        return self._http.request("GET", self._item(id))

    def update(self, id: str, request: Any) -> Record:
        require_id(id)
        body = to_body(request)
        same_id(body, id)
        return self._http.request(self._update_method, self._item(id), body=body)

    def _item(self, id: str, suffix: str = "") -> str:
        return self._collection + api_path("/{}", id) + suffix


class CrudResource(CollectionResource):
    """A collection whose items can also be deleted."""

    def delete(self, id: str) -> bool:
        require_id(id)
        return deleted(self._http.request("DELETE", self._item(id)))
