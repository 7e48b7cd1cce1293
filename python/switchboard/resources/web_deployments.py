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
        return self._on_deployment("GET", agent_id, id)

    def update(self, agent_id: str, id: str, request: Any) -> Record:
        require_id(agent_id, "agentId")
        require_id(id)
        body = to_body(request)
        same_id(body, id)
        return self._http.request("PATCH", api_path("/agents/{}/deployments/{}", agent_id, id), body=body)

    def revoke(self, agent_id: str, id: str) -> Record:
        return self._on_deployment("POST", agent_id, id, "/revoke")

    def rotate(self, agent_id: str, id: str) -> Record:
        return self._on_deployment("POST", agent_id, id, "/rotate")

    def embed_snippet(self, agent_id: str, id: str) -> Record:
        return self._on_deployment("GET", agent_id, id, "/embed-snippet")

    def issue_identity_secret(self, agent_id: str, id: str) -> Record:
        """Issues (or rotates) the deployment's identity secret. ``identity_secret`` is in this answer only:
        keep it on your server. From then on the widget's ``identify`` links a visitor to a ``userId`` only
        with its ``userHash`` (see :func:`switchboard.user_hash`); hashes made with an older secret are refused."""
        return self._on_deployment("POST", agent_id, id, "/identity-secret")

    def identity_secret(self, agent_id: str, id: str) -> Record:
        """Whether the deployment verifies identities: ``enabled``, ``created_at`` and ``fingerprint``, never the secret."""
        return self._on_deployment("GET", agent_id, id, "/identity-secret")

    def remove_identity_secret(self, agent_id: str, id: str) -> Record:
        """Removes the identity secret: ``identify`` then stores name, email and attributes but links no user id."""
        return self._on_deployment("DELETE", agent_id, id, "/identity-secret")

    def _on_deployment(self, method: str, agent_id: str, id: str, suffix: str = "") -> Record:
        """A body-less request on one deployment (``suffix`` names the sub-resource or action, e.g. ``/rotate``)."""
        require_id(agent_id, "agentId")
        require_id(id)
        return self._http.request(method, api_path("/agents/{}/deployments/{}" + suffix, agent_id, id))
