from ..http import api_path
from ..record import Record
from ..validation import require_id
from ._base import deleted
from ._crud import CrudResource


class WorkflowsResource(CrudResource):
    """Routing rules attached to channels: who (an agent or a team) takes each conversation (``/v1/workflows``)."""

    _collection = "/workflows"

    def attach(self, channel_id: str, workflow_id: str) -> Record:
        require_id(channel_id, "channelId")
        require_id(workflow_id, "workflowId")
        return self._http.request(
            "PUT", api_path("/deployment-channels/{}/workflow", channel_id), body={"workflowId": workflow_id}
        )

    def detach(self, channel_id: str) -> bool:
        require_id(channel_id, "channelId")
        return deleted(self._http.request("DELETE", api_path("/deployment-channels/{}/workflow", channel_id)))

    def for_channel(self, channel_id: str) -> Record:
        require_id(channel_id, "channelId")
        return self._http.request("GET", api_path("/deployment-channels/{}/workflow", channel_id))
