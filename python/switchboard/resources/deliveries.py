from typing import Optional

from ..errors import ValidationError
from ..http import api_path
from ..pagination import Page, PaginationParams, pagination_query
from ..record import Record
from ..validation import require_id
from ._base import Resource

DELIVERY_STATUSES = ("pending", "sending", "sent", "dead")


class DeliveriesResource(Resource):
    """Outbound messages sent through connections, with their retries; ``list(status="dead")`` is the dead-letter list."""

    def list(self, params: PaginationParams = None, status: Optional[str] = None) -> Page[Record]:
        if status is not None and status not in DELIVERY_STATUSES:
            raise ValidationError([{"field": "status", "message": f"status must be one of {', '.join(DELIVERY_STATUSES)}"}])
        return self._http.request_page("GET", "/deliveries", pagination_query(params, status=status))

    def get(self, id: str) -> Record:
        require_id(id)
        return self._http.request("GET", api_path("/deliveries/{}", id))

    def retry(self, id: str) -> Record:
        require_id(id)
        return self._http.request("POST", api_path("/deliveries/{}/retry", id))
