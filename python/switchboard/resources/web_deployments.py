from typing import Any, Optional

from ..http import api_path
from ..pagination import Page, PaginationParams, pagination_query
from ..record import Record
from ..validation import require_id, same_id, to_body
from ._base import Resource


class WebDeploymentsResource(Resource):
    """An agent's web widget deployments (``/v1/agents/{agentId}/deployments``): their ``cdp_...`` tokens,
    allowed origins, theme and embed snippet."""

    def create(self, agent_id: str, request: Optional[Any] = None) -> Record:
        """Creates a deployment; the answer holds its token, shown only here and by ``rotate``."""
        require_id(agent_id, "agentId")
        body = to_body(request if request is not None else {})
        return self._http.request("POST", api_path("/agents/{}/deployments", agent_id), body=body)

    def list(self, agent_id: str, params: PaginationParams = None) -> Page[Record]:
        require_id(agent_id, "agentId")
        return self._http.request_page("GET", api_path("/agents/{}/deployments", agent_id), pagination_query(params))

    def get(self, agent_id: str, id: str) -> Record:
        require_id(agent_id, "agentId")
        require_id(id)
        return self._http.request("GET", api_path("/agents/{}/deployments/{}", agent_id, id))

    def update(self, agent_id: str, id: str, request: Any) -> Record:
        require_id(agent_id, "agentId")
        require_id(id)
        body = to_body(request)
        same_id(body, id)
        return self._http.request("PATCH", api_path("/agents/{}/deployments/{}", agent_id, id), body=body)

    def revoke(self, agent_id: str, id: str) -> Record:
        require_id(agent_id, "agentId")
        require_id(id)
        return self._http.request("POST", api_path("/agents/{}/deployments/{}/revoke", agent_id, id))

    def rotate(self, agent_id: str, id: str) -> Record:
        require_id(agent_id, "agentId")
        require_id(id)
        return self._http.request("POST", api_path("/agents/{}/deployments/{}/rotate", agent_id, id))

    def embed_snippet(self, agent_id: str, id: str) -> Record:
        require_id(agent_id, "agentId")
        require_id(id)
        return self._http.request("GET", api_path("/agents/{}/deployments/{}/embed-snippet", agent_id, id))
