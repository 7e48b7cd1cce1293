from typing import Any, Dict, List, Mapping, Optional, Union
from urllib.parse import quote

from ..errors import ValidationError
from ..record import Record
from ..validation import require_fields, require_id, same_id, to_body
from ._base import Resource

CHANNELS = "/channel-service/v1/channels"
MESSAGING_TYPES = ("web", "facebook", "whatsapp", "instagram", "wechat", "line", "email", "wecom")


def _seg(value: str) -> str:
    return quote(value, safe="")


class ChannelResource(Resource):
    """Messaging channels (web, WhatsApp, Messenger, Instagram, email, WeChat, LINE, WeCom) in the
    channel service's snake_case ``Channel`` shape, under ``/channel-service/...`` (plain JSON, no
    envelope; the key is sent as ``x-api-key``)."""

    def _call(self, method: str, path: str, body: Any = None, query: Optional[Dict[str, Optional[str]]] = None) -> Any:
        if body is None:
            return self._http.request_plain(method, path, query=query)
        return self._http.request_plain(method, path, query=query, body=body)

    # core CRUD

    def list(self, type: Union[str, Mapping[str, Any], None] = None) -> List[Record]:
        """All channels, or those of one type: ``list("whatsapp")``, ``list(type="whatsapp")`` or ``list({"type": "whatsapp"})``."""
        type = _type_param(type)
        return self._call("GET", CHANNELS, query={"type": type})

    def get(self, id: str) -> Record:
        require_id(id)
        return self._call("GET", f"{CHANNELS}/{_seg(id)}")

    def create(self, request: Any) -> Record:
        body = to_body(request)
        require_fields(body, "type", "name")
        _check_type(body.get("type"))
        return self._call("POST", CHANNELS, body)

    def update(self, id: str, request: Any) -> Record:
        require_id(id)
        return self._call("PUT", f"{CHANNELS}/{_seg(id)}", to_body(request))

    def delete(self, id: str) -> Record:
        require_id(id)
        return self._call("DELETE", f"{CHANNELS}/{_seg(id)}")

    def delete_v3(self, id: str) -> Record:
        require_id(id)
        return self._call("DELETE", f"/channel-service/v3/channels/{_seg(id)}")

    def get_count(self, type: Union[str, Mapping[str, Any], None] = None) -> Record:
        type = _type_param(type)
        return self._call("GET", f"{CHANNELS}/_count", query={"type": type})

    def get_conv_count(self, view: Optional[str] = None, team_id: Optional[str] = None) -> Record:
        return self._call("GET", f"{CHANNELS}/_conv_count", query={"view": view, "team_id": team_id})

    def replace(self, request: Any) -> Record:
        body = to_body(request)
        require_id(body.get("channel_id"), "channel_id")
        return self._call("POST", f"{CHANNELS}/_replace", body)

    # per-type creation

    def create_web(self, request: Any) -> Record:
        return self._call("POST", f"{CHANNELS}/_web", to_body(request))

    def create_web_v3(self, request: Any) -> Record:
        return self._call("POST", "/channel-service/v3/channels/_web", to_body(request))

    def create_facebook(self, request: Any) -> Record:
        return self._call("POST", "/channel-service/v3/channels/_facebook", to_body(request))

    def update_facebook(self, id_or_request: Any, request: Any = None) -> Record:
        return self._call("PUT", "/channel-service/v2/channels/_facebook", _with_id(id_or_request, request))

    def create_instagram(self, request: Any) -> Record:
        return self._call("POST", f"{CHANNELS}/_instagram", to_body(request))

    def create_instagram_v2(self, request: Any) -> Record:
        return self._call("POST", f"{CHANNELS}/_instagramV2", to_body(request))

    def create_email(self, request: Any) -> Record:
        return self._call("POST", f"{CHANNELS}/_email", to_body(request))

    def create_wechat(self, request: Any) -> Record:
        return self._call("POST", f"{CHANNELS}/_wechat", to_body(request))

    def create_line(self, request: Any) -> Record:
        return self._call("POST", f"{CHANNELS}/_line", to_body(request))

    def create_whatsapp(self, request: Any) -> Record:
        return self._call("POST", f"{CHANNELS}/_whatsapp", to_body(request))

    def create_whatsapp_v2(self, request: Any) -> Record:
        return self._call("POST", "/channel-service/v2/channels/_whatsapp", to_body(request))

    def create_whatsapp_v3(self, request: Any) -> Record:
        return self._call("POST", "/channel-service/v3/channels/_whatsapp", to_body(request))

    def update_whatsapp(self, id_or_request: Any, request: Any = None) -> Record:
        return self._call("PUT", "/channel-service/v2/channels/_whatsapp", _with_id(id_or_request, request))

    # credentials

    def get_facebook_pages(self, credential_id: str) -> Record:
        require_id(credential_id, "credentialId")
        return self._call("GET", f"{CHANNELS}/credentials/{_seg(credential_id)}/pages")

    def get_credential(self, id: str) -> Record:
        require_id(id)
        return self._call("GET", f"{CHANNELS}/credentials/{_seg(id)}")

    def update_credential(self, id: str, request: Any) -> Record:
        require_id(id)
        return self._call("PUT", f"{CHANNELS}/credentials/{_seg(id)}", to_body(request))

    def delete_credential(self, id: str) -> Record:
        require_id(id)
        return self._call("DELETE", f"{CHANNELS}/credentials/{_seg(id)}")

    # workflows and teams

    def update_channel_workflow(self, channel_id: str, workflow_id: str) -> Record:
        require_id(channel_id, "channelId")
        require_id(workflow_id, "workflowId")
        return self._call("PUT", f"{CHANNELS}/workflows/{_seg(channel_id)}", {"workflow_id": workflow_id})

    def delete_channel_workflow(self, channel_id: str) -> Record:
        require_id(channel_id, "channelId")
        return self._call("DELETE", f"{CHANNELS}/workflows/{_seg(channel_id)}")

    def list_assignable_teams(self, channel_id: Optional[str] = None) -> List[Record]:
        if channel_id is not None:
            require_id(channel_id, "channelId")
        return self._call("GET", "/channel-service/v1/assign/teams/all", query={"channel_id": channel_id})

    def list_team_observers(self, team_id: str) -> List[Record]:
        require_id(team_id, "teamId")
        return self._call("GET", f"/channel-service/v1/assign/team/{_seg(team_id)}/observers")


def _type_param(value: Any) -> Optional[str]:
    if isinstance(value, Mapping):
        value = value.get("type")
    _check_type(value, optional=True)
    return value


def _check_type(value: Any, optional: bool = False) -> None:
    if value is None and optional:
        return
    if value not in MESSAGING_TYPES:
        raise ValidationError([{"field": "type", "message": f"type must be one of {', '.join(MESSAGING_TYPES)}"}])


def _with_id(id_or_request: Any, request: Any) -> Dict[str, Any]:
    """``update_x(id, fields)`` or ``update_x({"id": ..., ...})``: the body with its id."""
    if isinstance(id_or_request, str):
        require_id(id_or_request)
        body = to_body(request if request is not None else {}, "Update request")
        same_id(body, id_or_request)
        return {**body, "id": id_or_request}
    body = to_body(id_or_request, "Update request")
    require_id(body.get("id"))
    return body
