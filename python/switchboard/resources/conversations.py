from typing import Any, Optional

from ..http import api_path
from ..pagination import Page, PaginationParams, pagination_query
from ..record import Record
from ..validation import require_fields, require_id, to_body
from ._base import Resource


class ConversationsResource(Resource):
    """Conversations with contacts, their transcripts, replies posted later and hand-offs to people."""

    def list(self, params: PaginationParams = None) -> Page[Record]:
        return self._http.request_page("GET", "/conversations", pagination_query(params))

    def get(self, id: str) -> Record:
        require_id(id)
        return self._http.request("GET", api_path("/conversations/{}", id))

    def messages(self, id: str, params: PaginationParams = None) -> Page[Record]:
        require_id(id)
        return self._http.request_page("GET", api_path("/conversations/{}/messages", id), pagination_query(params))

    def post_message(self, id: str, request: Any) -> Record:
        """Posts a reply: ``{"text": ...}`` as the agent, or ``{"role": "human", "memberId": ..., "text": ...}``
        as a person (a client holding an API key must name the person)."""
        require_id(id)
        body = to_body(request)
        require_fields(body, "text")
        if body.get("role") == "human":
            require_id(body.get("memberId"), "memberId")
        return self._http.request("POST", api_path("/conversations/{}/messages", id), body=body)

    def handoff(self, id: str, team_id: Optional[str] = None, reason: Optional[str] = None) -> Record:
        require_id(id)
        body = {k: v for k, v in (("teamId", team_id), ("reason", reason)) if v is not None}
        return self._http.request("POST", api_path("/conversations/{}/handoff", id), body=body)

    def accept(self, id: str, member_id: str) -> Record:
        require_id(id)
        require_id(member_id, "memberId")
        return self._http.request("POST", api_path("/conversations/{}/handoff/accept", id), body={"memberId": member_id})

    def resolve(self, id: str) -> Record:
        require_id(id)
        return self._http.request("POST", api_path("/conversations/{}/handoff/resolve", id))

    def hand_back(self, id: str) -> Record:
        require_id(id)
        return self._http.request("POST", api_path("/conversations/{}/handoff/handback", id))
