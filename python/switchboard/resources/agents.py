from typing import Any

from ..http import api_path
from ..pagination import Page, PaginationParams, pagination_query
from ..record import Record
from ..validation import require_id, split_update, to_body
from ._base import Resource, deleted


class AgentsResource(Resource):
    """The agents that answer conversations (``/v1/agents``)."""

    def create(self, request: Any) -> Record:
        return self._http.request("POST", "/agents", body=to_body(request))

    def get(self, id: str) -> Record:
        require_id(id)
        return self._http.request("GET", api_path("/agents/{}", id))

    def list(self, params: PaginationParams = None) -> Page[Record]:
        return self._http.request_page("GET", "/agents", pagination_query(params))

    def update(self, request: Any) -> Record:
        """Updates the agent named by the request's ``id``."""
        id, fields = split_update(request)
        return self._http.request("PATCH", api_path("/agents/{}", id), body=fields)

    def delete(self, id: str) -> bool:
        require_id(id)
        return deleted(self._http.request("DELETE", api_path("/agents/{}", id)))
