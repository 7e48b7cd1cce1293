from typing import Any, List, Sequence

from ..errors import ValidationError
from ..http import api_path
from ..pagination import Page, PaginationParams, pagination_query
from ..record import Record
from ..validation import require_id, to_body
from ._base import deleted
from ._crud import CrudResource


class TeamsResource(CrudResource):
    """Teams of people that conversations are handed to: members, observers, and the teams
    assignable to each channel (``/v1/teams``)."""

    _collection = "/teams"

    def add_member(self, team_id: str, request: Any) -> Record:
        require_id(team_id, "teamId")
        return self._http.request("POST", self._item(team_id, "/members"), body=to_body(request))

    def remove_member(self, team_id: str, member_id: str) -> bool:
        require_id(team_id, "teamId")
        require_id(member_id, "memberId")
        return deleted(self._http.request("DELETE", self._item(team_id, api_path("/members/{}", member_id))))

    def add_observer(self, team_id: str, request: Any) -> Record:
        require_id(team_id, "teamId")
        return self._http.request("POST", self._item(team_id, "/observers"), body=to_body(request))

    def list_observers(self, team_id: str, params: PaginationParams = None) -> Page[Record]:
        require_id(team_id, "teamId")
        return self._http.request_page("GET", self._item(team_id, "/observers"), pagination_query(params))

    def remove_observer(self, team_id: str, observer_id: str) -> bool:
        require_id(team_id, "teamId")
        require_id(observer_id, "observerId")
        return deleted(self._http.request("DELETE", self._item(team_id, api_path("/observers/{}", observer_id))))

    def set_channel_teams(self, channel_id: str, team_ids: Sequence[str]) -> List[Record]:
        """Replaces the teams a channel's conversations may be assigned to."""
        require_id(channel_id, "channelId")
        if isinstance(team_ids, str) or not all(isinstance(t, str) and t for t in team_ids):
            raise ValidationError([{"field": "teamIds", "message": "teamIds must be a list of team ids"}])
        return self._http.request(
            "PUT", api_path("/deployment-channels/{}/teams", channel_id), body={"teamIds": list(team_ids)}
        )

    def list_channel_teams(self, channel_id: str, params: PaginationParams = None) -> Page[Record]:
        require_id(channel_id, "channelId")
        return self._http.request_page(
            "GET", api_path("/deployment-channels/{}/teams", channel_id), pagination_query(params)
        )
