from typing import Any

from ..http import api_path
from ..pagination import Page, PaginationParams, pagination_query
from ..record import Record
from ..validation import require_fields, require_id, split_update, to_body
from ._base import Resource, deleted


class DeploymentConfigurationsResource(Resource):
    """Bindings of one agent to one channel, with their lifecycle status (``/v1/deployment-configurations``)."""

    def create(self, request: Any) -> Record:
        body = to_body(request)
        require_fields(body, "deploymentChannelId")
        return self._http.request("POST", "/deployment-configurations", body=body)

    def get(self, id: str) -> Record:
        require_id(id)
        return self._http.request("GET", api_path("/deployment-configurations/{}", id))

    def get_by_channel(self, channel_id: str) -> Record:
        require_id(channel_id, "channelId")
        return self._http.request("GET", api_path("/deployment-configurations/by-channel/{}", channel_id))

    def list_by_agent(self, agent_id: str, params: PaginationParams = None) -> Page[Record]:
        require_id(agent_id, "agentId")
        return self._http.request_page(
            "GET", api_path("/deployment-configurations/by-agent/{}", agent_id), pagination_query(params)
        )

    def list(self, params: PaginationParams = None) -> Page[Record]:
        return self._http.request_page("GET", "/deployment-configurations", pagination_query(params))

    def update(self, request: Any) -> Record:
        id, fields = split_update(request)
        return self._http.request("PATCH", api_path("/deployment-configurations/{}", id), body=fields)

    def activate(self, id: str) -> Record:
        return self.update({"id": id, "status": "active"})

    def pause(self, id: str) -> Record:
        return self.update({"id": id, "status": "paused"})

    def archive(self, id: str) -> Record:
        return self.update({"id": id, "status": "archived"})

    def delete(self, id: str) -> bool:
        require_id(id)
        return deleted(self._http.request("DELETE", api_path("/deployment-configurations/{}", id)))

    def setup(self, request: Any) -> Record:
        """Creates a channel and its deployment in one call; answers ``{channel, deployment}``."""
        return self._http.request("POST", "/deployment-configurations/setup", body=to_body(request))
