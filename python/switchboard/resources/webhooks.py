from ..record import Record
from ..validation import require_id
from ._crud import CrudResource


class WebhooksResource(CrudResource):
    """Subscriptions of your URLs to the workspace's events, signed with Standard Webhooks;
    the secret is shown once, by ``create`` and ``rotate_secret`` (``/v1/webhooks``)."""

    _collection = "/webhooks"

    def rotate_secret(self, id: str) -> Record:
        require_id(id)
        return self._http.request("POST", self._item(id, "/rotate-secret"))

    def test(self, id: str) -> Record:
        """Sends a test event to the subscription's URL and reports the answer."""
        require_id(id)
        return self._http.request("POST", self._item(id, "/test"))
