from ..record import Record
from ..validation import require_id
from ._crud import CrudResource


class ConnectionsResource(CrudResource):
    """Accounts with providers (Twilio, Meta, LINE, email...): settings, credentials held as secret ids,
    and the inbound URL and secret to paste into the provider (``/v1/connections``)."""

    _collection = "/connections"

    def rotate_inbound_secret(self, id: str) -> Record:
        require_id(id)
        return self._http.request("POST", self._item(id, "/rotate-inbound-secret"))
