"""client.deployment_channels and client.phone_configurations against the real server."""
import unittest
from typing import Optional

from support import LiveServer, unique_site

from switchboard import (
    APIError,
    AuthenticationError,
    ConflictError,
    NotFoundError,
    Page,
    PaginationMeta,
    SwitchboardClient,
    ValidationError,
)
from switchboard.models import CreateDeploymentChannel, DeploymentType, UpdateDeploymentChannel
from switchboard.types import PaginationRequest

server: Optional[LiveServer] = None
client: SwitchboardClient


def setUpModule() -> None:
    global server, client
    server = LiveServer().start()
    client = SwitchboardClient(api_key=server.api_key, base_url=server.base_url)


def tearDownModule() -> None:
    if server is not None:
        server.stop()


def web_channel(identifier: Optional[str] = None, name: str = "Site chat") -> dict:
    return {
        "channelIdentifier": identifier or unique_site(),
        "deploymentType": "web",
        "channelName": name,
        "configuration": {"communicationType": "unified"},
    }


class LifecycleTest(unittest.TestCase):
    def test_create_get_find_update_delete(self) -> None:
        site = unique_site()
        created = client.deployment_channels.create(web_channel(site, "Lifecycle"))
        self.assertTrue(created.id.startswith("chan_"))
        self.assertEqual(created["channelIdentifier"], site)
        self.assertEqual(created.channel_identifier, site)
        self.assertEqual(created.deployment_type, "web")
        self.assertTrue(created.recording_enabled)
        self.assertEqual(created.configuration.widget_configuration.position, "right")

        self.assertEqual(client.deployment_channels.get(created.id), created)
        self.assertEqual(client.deployment_channels.get_by_identifier(site, DeploymentType.WEB).id, created.id)
        self.assertEqual(client.deployment_channels.get_by_identifier(site).id, created.id)

        updated = client.deployment_channels.update({"id": created.id, "channelName": "Renamed", "recordingEnabled": False})
        self.assertEqual(updated.channel_name, "Renamed")
        self.assertFalse(updated.recording_enabled)
        typed = client.deployment_channels.update(UpdateDeploymentChannel(id=created.id, channel_name="Typed"))
        self.assertEqual(typed.channel_name, "Typed")
        self.assertFalse(typed.recording_enabled)

        self.assertIs(client.deployment_channels.delete(created.id), True)
        with self.assertRaises(NotFoundError) as caught:
            client.deployment_channels.get(created.id)
        self.assertEqual(caught.exception.status_code, 404)
        self.assertEqual(caught.exception.code, "NOT_FOUND")
        self.assertEqual(caught.exception.message, "Deployment channel not found")
        self.assertEqual(caught.exception.meta, {"id": created.id})

    def test_typed_create_with_an_enum_member(self) -> None:
        created = client.deployment_channels.create(
            CreateDeploymentChannel(
                channel_identifier="com.example.app" + unique_site()[8:16].replace("-", ""),
                deployment_type=DeploymentType.MOBILE,
                configuration={"packageName": "com.example.app", "platform": "ios"},
            )
        )
        self.assertEqual(created.deployment_type, "mobile-app")
        self.assertIsNone(created.channel_name)

    def test_duplicate_identifier_is_a_conflict(self) -> None:
        site = unique_site()
        client.deployment_channels.create(web_channel(site))
        with self.assertRaises(ConflictError) as caught:
            client.deployment_channels.create(web_channel(site))
        self.assertEqual(caught.exception.status_code, 409)
        self.assertIsInstance(caught.exception, APIError)

    def test_phone_channel_deleted_with_its_phone_configuration(self) -> None:
        number = "+1202555" + str(1000 + (hash(unique_site()) % 9000))
        config = client.phone_configurations.create({"phoneNumber": number, "provider": "twilio", "friendlyName": "Main line"})
        self.assertIs(client.phone_configs, client.phone_configurations)
        self.assertEqual(client.phone_configurations.get_by_phone_number(number).id, config.id)
        renamed = client.phone_configurations.update({"id": config.id, "friendlyName": "Support line"})
        self.assertEqual(renamed.friendly_name, "Support line")
        channel = client.deployment_channels.create(
            {"channelIdentifier": number, "deploymentType": "calls", "configuration": {"phoneConfigurationId": config.id}}
        )
        self.assertIn(config.id, [c.id for c in client.phone_configurations.list().data])
        self.assertTrue(client.deployment_channels.delete(channel.id, delete_phone_config=True))
        with self.assertRaises(NotFoundError):
            client.phone_configurations.get(config.id)


class PaginationTest(unittest.TestCase):
    def test_pages_and_meta(self) -> None:
        marker = unique_site()[8:20]
        for i in range(5):
            client.deployment_channels.create(web_channel(f"https://{marker}-{i}.example.com", f"Paged {i}"))
        first = client.deployment_channels.list(params=PaginationRequest(page=1, page_size=2), search=marker)
        self.assertIsInstance(first, Page)
        self.assertIsInstance(first.meta, PaginationMeta)
        self.assertEqual(
            (first.meta.page, first.meta.page_size, first.meta.total_count, first.meta.total_pages),
            (1, 2, 5, 3),
        )
        self.assertTrue(first.meta.has_next_page)
        self.assertFalse(first.meta.has_previous_page)
        second = client.deployment_channels.list(params={"page": 2, "pageSize": 2, "search": marker})
        self.assertEqual(second.meta.page, 2)
        self.assertTrue(second.meta.has_previous_page)
        self.assertEqual(len(second.data), 2)
        last = client.deployment_channels.list(params=PaginationRequest(page=3, page_size=2), search=marker)
        self.assertEqual(len(last), 1)
        self.assertFalse(last.meta.has_next_page)
        seen = {c.id for page in (first, second, last) for c in page}
        self.assertEqual(len(seen), 5)

    def test_list_by_type(self) -> None:
        client.deployment_channels.create(web_channel())
        webs = client.deployment_channels.list_by_type(DeploymentType.WEB, params=PaginationRequest(page=1, page_size=1000))
        self.assertGreaterEqual(webs.meta.total_count, 1)
        self.assertTrue(all(c.deployment_type == "web" for c in webs.data))
        self.assertEqual(client.deployment_channels.list_by_type("web").meta.total_count, webs.meta.total_count)
        # Upper-case spellings from older examples are accepted too.
        self.assertEqual(client.deployment_channels.list_by_type("WEB").meta.total_count, webs.meta.total_count)
        self.assertEqual(client.deployment_channels.get_by_identifier(webs.data[0].channel_identifier, "WEB").id, webs.data[0].id)


class ErrorMappingTest(unittest.TestCase):
    def test_server_validation_error_carries_field_details(self) -> None:
        with self.assertRaises(APIError) as caught:
            client.deployment_channels.create(
                {"channelIdentifier": "example.com", "deploymentType": "web", "configuration": {}}
            )
        error = caught.exception
        self.assertNotIsInstance(error, ValidationError)
        self.assertEqual(error.status_code, 400)
        self.assertEqual(error.code, "VALIDATION_ERROR")
        self.assertEqual(error.details, [{"field": "channelIdentifier", "message": "Invalid website URL format"}])
        self.assertIn("Invalid website URL format", error.message)

    def test_wrong_key_is_an_authentication_error(self) -> None:
        stranger = SwitchboardClient(api_key="sbk_" + "x" * 40, base_url=server.base_url)
        with self.assertRaises(AuthenticationError) as caught:
            stranger.deployment_channels.list()
        self.assertEqual(caught.exception.status_code, 401)
        self.assertEqual(caught.exception.code, "UNAUTHORIZED")

    def test_unknown_channel_is_not_found(self) -> None:
        with self.assertRaises(NotFoundError):
            client.deployment_channels.get("chan_doesnotexist")
        with self.assertRaises(NotFoundError):
            client.deployment_channels.get_by_identifier("https://nowhere.example.com", "web")


if __name__ == "__main__":
    unittest.main()
