from typing import Any, Optional

from ..http import api_path
from ..pagination import Page, PaginationParams, pagination_query
from ..record import Record
from ..validation import require_id, to_body
from ._crud import CollectionResource


class WorkspacesResource(CollectionResource):
    """The installation's workspaces (tenants) and their API keys; needs an instance administrator key.
    Workspaces are suspended, not deleted."""

    _collection = "/workspaces"

    def suspend(self, id: str) -> Record:
        return self.update(id, {"status": "suspended"})

    def resume(self, id: str) -> Record:
        return self.update(id, {"status": "active"})

    def create_key(self, id: str, request: Optional[Any] = None) -> Record:
        """Issues an API key for the workspace; the key itself is in the answer only this once."""
        require_id(id)
        return self._http.request("POST", self._item(id, "/keys"), body=to_body(request if request is not None else {}))

    def list_keys(self, id: str, params: PaginationParams = None) -> Page[Record]:
        require_id(id)
        return self._http.request_page("GET", self._item(id, "/keys"), pagination_query(params))

    def revoke_key(self, id: str, key_id: str) -> Record:
        require_id(id)
        require_id(key_id, "keyId")
        return self._http.request("POST", self._item(id, api_path("/keys/{}/revoke", key_id)))
