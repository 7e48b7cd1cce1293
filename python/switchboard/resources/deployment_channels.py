from typing import Any, Optional

from ..errors import ValidationError
from ..http import api_path
from ..pagination import Page, PaginationParams, pagination_query
from ..record import Record
from ..validation import require_fields, require_id, split_update, to_body
from ._base import Resource, deleted, wire

DEPLOYMENT_TYPES = ("calls", "sms", "web", "mobile-app")


class DeploymentChannelsResource(Resource):
    """Phone numbers, websites and apps through which agents are reached (``/v1/deployment-channels``)."""

    def create(self, request: Any) -> Record:
        """Creates a channel from a dict (``channelIdentifier``, ``deploymentType``, ``configuration``, ...)
        or a ``CreateDeploymentChannel``."""
        body = to_body(request)
        require_fields(body, "channelIdentifier", "deploymentType")
        _check_type(body.get("deploymentType"), "deploymentType")
        return self._http.request("POST", "/deployment-channels", body=body)

    def get(self, id: str) -> Record:
        require_id(id)
        return self._http.request("GET", api_path("/deployment-channels/{}", id))

    def get_by_identifier(self, identifier: str, type: Any = None) -> Record:
        """Finds a channel by its identifier (phone number, URL or package name), optionally of one type."""
        require_id(identifier, "identifier")
        return self._http.request(
            "GET", api_path("/deployment-channels/by-identifier/{}", identifier), query={"type": wire(type)}
        )

    def list(self, params: PaginationParams = None, search: Optional[str] = None) -> Page[Record]:
        """A page of channels; ``search`` keeps those whose name or identifier contains it (any case)."""
        return self._http.request_page("GET", "/deployment-channels", pagination_query(params, search=search))

    def list_by_type(self, type: Any, params: PaginationParams = None, search: Optional[str] = None) -> Page[Record]:
        type_value = require_id(wire(type) or "", "type")
        return self._http.request_page(
            "GET", api_path("/deployment-channels/by-type/{}", type_value), pagination_query(params, search=search)
        )

    def update(self, request: Any) -> Record:
        """Updates the channel named by the request's ``id`` (a dict or an ``UpdateDeploymentChannel``)."""
        id, fields = split_update(request)
        if "deploymentType" in fields:
            _check_type(fields["deploymentType"], "deploymentType")
        return self._http.request("PATCH", "/deployment-channels", body={"id": id, **fields})

    def delete(self, id: str, delete_phone_config: bool = False) -> bool:
        """Deletes the channel; with ``delete_phone_config`` also the phone configuration it uses."""
        require_id(id)
        answer = self._http.request(
            "DELETE",
            api_path("/deployment-channels/{}", id),
            query={"deletePhoneConfig": "true" if delete_phone_config else None},
        )
        return deleted(answer)


def _check_type(value: Any, field: str) -> None:
    text = wire(value)
    if text is None or text.lower() not in DEPLOYMENT_TYPES:
        raise ValidationError([{"field": field, "message": f"{field} must be one of {', '.join(DEPLOYMENT_TYPES)}"}])
