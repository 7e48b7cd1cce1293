from typing import Any

from ..http import api_path
from ..pagination import Page, PaginationParams, pagination_query
from ..record import Record
from ..validation import require_fields, require_id, split_update, to_body
from ._base import Resource, deleted


class PhoneConfigurationsResource(Resource):
    """Phone numbers registered with a telephony provider (``/v1/phone-configurations``)."""

    def create(self, request: Any) -> Record:
        body = to_body(request)
        require_fields(body, "phoneNumber", "provider")
        return self._http.request("POST", "/phone-configurations", body=body)

    def get(self, id: str) -> Record:
        require_id(id)
        return self._http.request("GET", api_path("/phone-configurations/{}", id))

    def get_by_phone_number(self, phone_number: str) -> Record:
        require_id(phone_number, "phoneNumber")
        return self._http.request("GET", api_path("/phone-configurations/by-phone-number/{}", phone_number))

    def list(self, params: PaginationParams = None) -> Page[Record]:
        return self._http.request_page("GET", "/phone-configurations", pagination_query(params))

    def update(self, request: Any) -> Record:
        id, fields = split_update(request)
        return self._http.request("PATCH", api_path("/phone-configurations/{}", id), body=fields)

    def delete(self, id: str) -> bool:
        require_id(id)
        return deleted(self._http.request("DELETE", api_path("/phone-configurations/{}", id)))
