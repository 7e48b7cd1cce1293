"""The web deployment's identity secret and ``user_hash`` against the real server: the secret is shown
once, a hash made with it links the widget's visitor to the user, and removal stops verifying."""
import hashlib
import hmac
import json
import unittest
import urllib.error
import urllib.request
from typing import Any, Dict, Optional, Tuple

from support import LiveServer, unique_site

from switchboard import NotFoundError, SwitchboardClient, user_hash

ORIGIN = "https://shop.example.com"

server: Optional[LiveServer] = None
client: SwitchboardClient


def setUpModule() -> None:
    global server, client
    server = LiveServer().start()
    admin = SwitchboardClient(api_key=server.api_key, base_url=server.base_url)
    created = admin.workspaces.create({"name": "Python identity"})
    client = SwitchboardClient(api_key=created.api_key.key, base_url=server.base_url)


def tearDownModule() -> None:
    if server is not None:
        server.stop()


def identify(token: str, body: Dict[str, Any]) -> Tuple[int, Any]:
    assert server is not None
    request = urllib.request.Request(
        f"{server.base_url}/v1/public/runtime/identify",
        data=json.dumps(body).encode(),
        method="POST",
        headers={"authorization": f"Bearer {token}", "origin": ORIGIN, "content-type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


class UserHashTest(unittest.TestCase):
    def test_is_the_hex_hmac_sha256_of_the_user_id(self) -> None:
        expected = hmac.new(b"idsec_abc", "ünï-42".encode(), hashlib.sha256).hexdigest()
        self.assertEqual(user_hash("idsec_abc", "ünï-42"), expected)


class IdentitySecretTest(unittest.TestCase):
    def test_issue_status_identify_remove(self) -> None:
        agent = client.agents.create({"name": "Identity"})
        deployment = client.deployments.create(agent.id, {"allowedOrigins": [ORIGIN], "channel": {"channelIdentifier": unique_site()}})
        self.assertFalse(client.deployments.identity_secret(agent.id, deployment.id).enabled)

        issued = client.deployments.issue_identity_secret(agent.id, deployment.id)
        self.assertTrue(issued.identity_secret.startswith("idsec_"))
        status = client.deployments.identity_secret(agent.id, deployment.id)
        self.assertTrue(status.enabled)
        self.assertEqual(status.fingerprint, issued.fingerprint)
        self.assertNotIn(issued.identity_secret, json.dumps(status))

        code, answer = identify(deployment.token, {"userId": "customer-3", "userHash": user_hash(issued.identity_secret, "customer-3")})
        self.assertEqual(code, 200, answer)
        self.assertTrue(answer["data"]["verified"])
        code, answer = identify(deployment.token, {"userId": "customer-3", "userHash": user_hash("idsec_wrong", "customer-3")})
        self.assertEqual(code, 403)
        self.assertEqual(answer["meta"]["reason"], "IDENTITY_NOT_VERIFIED")

        self.assertFalse(client.deployments.remove_identity_secret(agent.id, deployment.id).enabled)
        with self.assertRaises(NotFoundError):
            client.deployments.issue_identity_secret(agent.id, "wdp_missing")


if __name__ == "__main__":
    unittest.main()
