"""The ``userHash`` a site gives the web widget's ``identify`` call."""
import hashlib
import hmac


def user_hash(identity_secret: str, user_id: str) -> str:
    """The hex HMAC-SHA256 of ``user_id`` under the web deployment's identity secret.

    Compute it on your server (the secret must never reach a browser) and print it into the page
    beside the user id: ``SwitchboardQueue.push(['identify', {userId: ..., userHash: ...}])``.
    """
    return hmac.new(identity_secret.encode("utf-8"), user_id.encode("utf-8"), hashlib.sha256).hexdigest()
