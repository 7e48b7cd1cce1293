from ._crud import CrudResource


class SecretsResource(CrudResource):
    """Encrypted, write-only credentials that connections name by id; reads show a mask and
    fingerprint, never the value (``/v1/secrets``). ``update`` replaces the value (PUT)."""

    _collection = "/secrets"
    _update_method = "PUT"
