import re
from typing import Dict, List, Optional

from ..errors import ValidationError
from ..http import api_path
from ..pagination import Page, PaginationParams, pagination_query
from ..record import Record
from ..validation import require_id
from ._base import Resource

DELIVERY_STATUSES = ("pending", "sending", "sent", "dead")

# Every id the API accepts: letters, digits, '_' and '-', at most 64 characters.
_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
_ID_RULE = "must be 1-64 characters: letters, digits, '_' or '-'"


def _filter_issues(status: Optional[str], subscription_id: Optional[str], connection_id: Optional[str]) -> List[Dict[str, str]]:
    issues = []
    if status is not None and status not in DELIVERY_STATUSES:
        issues.append({"field": "status", "message": f"status must be one of {', '.join(DELIVERY_STATUSES)}"})
    for field, value in (("subscriptionId", subscription_id), ("connectionId", connection_id)):
        if value is not None and not (isinstance(value, str) and _ID_PATTERN.fullmatch(value)):
            issues.append({"field": field, "message": _ID_RULE})
    if subscription_id is not None and connection_id is not None:
        issues.append(
            {
                "field": "connectionId",
                "message": "cannot be combined with subscriptionId: a delivery goes to a webhook subscription or to a provider connection",
            }
        )
    return issues


class DeliveriesResource(Resource):
    """Outbound messages (replies through connections, events to webhook subscriptions) with their
    retries; ``list(status="dead")`` is the dead-letter list."""

    def list(
        self,
        params: PaginationParams = None,
        status: Optional[str] = None,
        subscription_id: Optional[str] = None,
        connection_id: Optional[str] = None,
    ) -> Page[Record]:
        """One page of deliveries, optionally only those with ``status``, and only one webhook
        subscription's event deliveries (``subscription_id``) or the replies sent through one
        connection (``connection_id``), not both. ``meta.total_count`` counts what the filters let through."""
        issues = _filter_issues(status, subscription_id, connection_id)
        if issues:
            raise ValidationError(issues)
        query = pagination_query(params, status=status, subscriptionId=subscription_id, connectionId=connection_id)
        return self._http.request_page("GET", "/deliveries", query)

    def get(self, id: str) -> Record:
        require_id(id)
        return self._http.request("GET", api_path("/deliveries/{}", id))

    def retry(self, id: str) -> Record:
        require_id(id)
        return self._http.request("POST", api_path("/deliveries/{}/retry", id))
