"""How answers map to values and errors, against a small local stand-in server whose answers
the real server never gives (proxy pages, malformed bodies, old list shapes)."""
import json
import threading
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, Tuple

import support  # noqa: F401  (puts the package on sys.path)

from switchboard import APIError, AuthenticationError, ConflictError, NotFoundError, SwitchboardClient
from switchboard.http import INVALID_RESPONSE

META = {"page": 1, "pageSize": 20, "totalCount": 1, "totalPages": 1, "hasNextPage": False, "hasPreviousPage": False}


def envelope(data: Any) -> Tuple[int, str, str]:
    return 200, "application/json", json.dumps({"success": True, "data": data})


def failure(status: int, code: str, message: str, **extra: Any) -> Tuple[int, str, str]:
    body = {"success": False, "status": status, "code": code, "message": message, "meta": {}, "error": {"code": code, "message": message, "details": None}}
    body.update(extra)
    return status, "application/json", json.dumps(body)


class StandIn(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _answer(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length).decode() if length else None
        seen: Dict[str, Any] = {
            "method": self.command,
            "path": self.path,
            "authorization": self.headers.get("authorization"),
            "x-api-key": self.headers.get("x-api-key"),
            "content-type": self.headers.get("content-type"),
            "x-extra": self.headers.get("x-extra"),
            "body": json.loads(body) if body else None,
        }
        routes = {
            "/v1/agents/bad-gateway": (502, "text/html", "<html><body>Bad gateway</body></html>"),
            "/v1/agents/not-envelope": (200, "application/json", json.dumps({"hello": 1})),
            "/v1/agents/not-json": (200, "text/plain", "hello"),
            "/v1/agents/forbidden": failure(403, "FORBIDDEN", "Not for this key"),
            "/v1/agents/rate": (429, "application/json", json.dumps({"message": "Slow down"})),
            "/v1/agents/conflict": failure(409, "CONFLICT", "Already there"),
            "/v1/agents/unauthorized": failure(401, "UNAUTHORIZED", "Unknown API key"),
            "/v1/agents/success-false": (200, "application/json", json.dumps({"success": False, "status": 404, "code": "NOT_FOUND", "message": "Gone"})),
            "/v1/agents": (200, "application/json", json.dumps({"success": True, "data": [{"id": "agent_1"}], "meta": META})),
            "/v1/teams": envelope({"items": []}),
            "/v1/agents/a%2Fb%3Fc": envelope({"id": "a/b?c"}),
            "/v1/agents/empty": (204, "application/json", ""),
        }
        status, content_type, text = routes.get(self.path.split("?")[0], envelope(seen))
        if self.path.startswith("/channel-service/"):
            status, content_type, text = 200, "application/json", json.dumps(seen)
        payload = text.encode()
        self.send_response(status)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _answer


class HttpMappingTest(unittest.TestCase):
    server: ThreadingHTTPServer
    client: SwitchboardClient

    @classmethod
    def setUpClass(cls) -> None:
        cls.server = ThreadingHTTPServer(("127.0.0.1", 0), StandIn)
        threading.Thread(target=cls.server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{cls.server.server_address[1]}"
        cls.client = SwitchboardClient(api_key=" key_123 ", base_url=base, headers={"X-Extra": "yes", "Authorization": "Bearer other"}, timeout=5)

    @classmethod
    def tearDownClass(cls) -> None:
        cls.server.shutdown()
        cls.server.server_close()

    def test_bearer_key_json_body_and_extra_headers(self) -> None:
        seen = self.client.agents.update({"id": "agent_1", "name": "Renamed"})
        self.assertEqual(seen["method"], "PATCH")
        self.assertEqual(seen["path"], "/v1/agents/agent_1")
        self.assertEqual(seen["authorization"], "Bearer key_123")
        self.assertIsNone(seen["x-api-key"])
        self.assertEqual(seen["x-extra"], "yes")
        self.assertEqual(seen["content-type"], "application/json")
        self.assertEqual(seen["body"], {"name": "Renamed"})

    def test_body_less_requests_send_no_content_type(self) -> None:
        seen = self.client.deliveries.retry("dlv_1")
        self.assertEqual((seen["method"], seen["path"], seen["content-type"], seen["body"]), ("POST", "/v1/deliveries/dlv_1/retry", None, None))

    def test_query_parameters(self) -> None:
        seen = self.client.deployment_channels.get_by_identifier("+12025551234", "sms")
        self.assertEqual(seen["path"], "/v1/deployment-channels/by-identifier/%2B12025551234?type=sms")

    def test_ids_are_percent_encoded(self) -> None:
        self.assertEqual(self.client.agents.get("a/b?c").id, "a/b?c")

    def test_channel_service_uses_x_api_key_and_the_server_root(self) -> None:
        seen = self.client.channel.update_channel_workflow("chan_1", "wf_1")
        self.assertEqual(seen["path"], "/channel-service/v1/channels/workflows/chan_1")
        self.assertEqual(seen["x-api-key"], "key_123")
        self.assertIsNone(seen["authorization"])
        self.assertEqual(seen["body"], {"workflow_id": "wf_1"})
        self.assertEqual(self.client.channel.delete_v3("chan 1")["path"], "/channel-service/v3/channels/chan%201")
        self.assertEqual(self.client.channel.list({"type": "whatsapp"})["path"], "/channel-service/v1/channels?type=whatsapp")

    def test_a_proxy_page_becomes_an_api_error_with_an_excerpt(self) -> None:
        with self.assertRaises(APIError) as caught:
            self.client.agents.get("bad-gateway")
        error = caught.exception
        self.assertEqual((error.status_code, error.code), (502, "HTTP_502"))
        self.assertIn("Bad gateway", error.message)
        self.assertEqual(error.meta, {})

    def test_status_codes_map_to_classes_and_default_codes(self) -> None:
        cases = [
            ("forbidden", APIError, 403, "FORBIDDEN", "Not for this key"),
            ("rate", APIError, 429, "RATE_LIMITED", "Slow down"),
            ("conflict", ConflictError, 409, "CONFLICT", "Already there"),
            ("unauthorized", AuthenticationError, 401, "UNAUTHORIZED", "Unknown API key"),
            ("success-false", NotFoundError, 404, "NOT_FOUND", "Gone"),
        ]
        for path, cls, status, code, message in cases:
            with self.subTest(path=path), self.assertRaises(APIError) as caught:
                self.client.agents.get(path)
            self.assertIs(type(caught.exception), cls)
            self.assertEqual((caught.exception.status_code, caught.exception.code, caught.exception.message), (status, code, message))

    def test_answers_that_are_not_the_envelope(self) -> None:
        for path in ("not-envelope", "not-json"):
            with self.subTest(path=path), self.assertRaises(APIError) as caught:
                self.client.agents.get(path)
            self.assertEqual(caught.exception.code, INVALID_RESPONSE)
        with self.assertRaises(APIError) as caught:
            self.client.teams.list()
        self.assertEqual(caught.exception.code, INVALID_RESPONSE)
        self.assertIsNone(self.client.agents.get("empty"))

    def test_the_older_flat_list_shape_is_read(self) -> None:
        page = self.client.agents.list()
        self.assertEqual([a.id for a in page.data], ["agent_1"])
        self.assertEqual((page.meta.total_count, page.meta.has_next_page), (1, False))


if __name__ == "__main__":
    unittest.main()
