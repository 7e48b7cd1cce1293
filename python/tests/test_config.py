"""Client construction and transport failures; needs no server."""
import socket
import unittest

import support  # noqa: F401  (puts the package on sys.path)

from switchboard import ConfigurationError, NetworkError, SwitchboardClient, ValidationError


class ConstructionTest(unittest.TestCase):
    def test_api_key_is_required(self) -> None:
        for key in (None, "", "   ", 42):
            with self.subTest(key=key), self.assertRaises(ConfigurationError) as caught:
                SwitchboardClient(api_key=key)
            self.assertIn("api_key", str(caught.exception))

    def test_api_key_must_fit_in_a_header(self) -> None:
        with self.assertRaises(ConfigurationError):
            SwitchboardClient(api_key="abc\ndef")

    def test_bad_base_urls_are_refused(self) -> None:
        for url in ("", "not a url", "ftp://example.com", "http://user:pw@example.com", "http://example.com/?a=1", "http://example.com/#x", "http://:80"):
            with self.subTest(url=url), self.assertRaises(ConfigurationError):
                SwitchboardClient(api_key="k", base_url=url)

    def test_v1_is_appended_once(self) -> None:
        self.assertEqual(SwitchboardClient(api_key="k", base_url="http://127.0.0.1:8787").api_url, "http://127.0.0.1:8787/v1")
        self.assertEqual(SwitchboardClient(api_key="k", base_url="http://127.0.0.1:8787/").api_url, "http://127.0.0.1:8787/v1")
        self.assertEqual(SwitchboardClient(api_key="k", base_url="http://127.0.0.1:8787/v1/").api_url, "http://127.0.0.1:8787/v1")
        self.assertEqual(SwitchboardClient(api_key="k", base_url="https://h.example.com/sb").api_url, "https://h.example.com/sb/v1")
        self.assertEqual(SwitchboardClient(api_key="k").api_url, "http://localhost:8787/v1")

    def test_bad_timeouts_and_headers_are_refused(self) -> None:
        for timeout in (0, -1, float("nan"), "5", True):
            with self.subTest(timeout=timeout), self.assertRaises(ConfigurationError):
                SwitchboardClient(api_key="k", timeout=timeout)
        with self.assertRaises(ConfigurationError):
            SwitchboardClient(api_key="k", headers={"x-a": 1})  # type: ignore[dict-item]
        with self.assertRaises(ConfigurationError):
            SwitchboardClient(api_key="k", headers={"bad header": "v"})


class TransportTest(unittest.TestCase):
    def test_a_server_that_never_answers_times_out(self) -> None:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
            listener.bind(("127.0.0.1", 0))
            listener.listen(1)
            port = listener.getsockname()[1]
            client = SwitchboardClient(api_key="k", base_url=f"http://127.0.0.1:{port}", timeout=0.3)
            with self.assertRaises(NetworkError) as caught:
                client.deployment_channels.list()
            self.assertTrue(caught.exception.timeout)
            self.assertIn("timed out", str(caught.exception))

    def test_a_closed_port_is_a_network_error_without_timeout(self) -> None:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        client = SwitchboardClient(api_key="k", base_url=f"http://127.0.0.1:{port}", timeout=2)
        with self.assertRaises(NetworkError) as caught:
            client.agents.get("agent_1")
        self.assertFalse(caught.exception.timeout)

    def test_required_ids_are_checked_before_sending(self) -> None:
        # Port 9 on loopback: a request that was sent would fail with NetworkError instead.
        client = SwitchboardClient(api_key="k", base_url="http://127.0.0.1:9", timeout=1)
        cases = [
            (lambda: client.deployment_channels.get(""), "id"),
            (lambda: client.deployment_channels.get_by_identifier("  "), "identifier"),
            (lambda: client.deployment_channels.update({"channelName": "x"}), "id"),
            (lambda: client.deployments.get("", "dep_1"), "agentId"),
            (lambda: client.conversations.accept("conv_1", ""), "memberId"),
            (lambda: client.conversations.post_message("conv_1", {"role": "human", "text": "hi"}), "memberId"),
            (lambda: client.teams.remove_member("team_1", ""), "memberId"),
            (lambda: client.workflows.attach("chan_1", ""), "workflowId"),
            (lambda: client.channel.update_channel_workflow("", "wf_1"), "channelId"),
            (lambda: client.deliveries.list(status="lost"), "status"),
            (lambda: client.deliveries.list(subscription_id="whk 1"), "subscriptionId"),
            (lambda: client.deliveries.list(connection_id=""), "connectionId"),
            (lambda: client.deliveries.list(subscription_id="whk_1", connection_id="conn_1"), "connectionId"),
            (lambda: client.agents.list(params={"page": 0}), "page"),
            (lambda: client.agents.list(params={"pageSize": 1001}), "pageSize"),
            (lambda: client.deployment_channels.create({"channelIdentifier": "https://a.example.com", "deploymentType": "fax"}), "deploymentType"),
            (lambda: client.connections.update("conn_1", {"id": "conn_2"}), "id"),
        ]
        for call, field in cases:
            with self.subTest(field=field), self.assertRaises(ValidationError) as caught:
                call()
            self.assertEqual(caught.exception.issues[0]["field"], field)


if __name__ == "__main__":
    unittest.main()
