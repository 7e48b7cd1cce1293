"""The Python examples of the deployment channels guide (spec document 000), each run as written
with only the import lines and the client's construction changed."""
import contextlib
import io
import os
import unittest
from typing import Callable, Optional

from support import LiveServer

server: Optional[LiveServer] = None


def setUpModule() -> None:
    global server
    server = LiveServer().start()
    os.environ["SWITCHBOARD_EXAMPLE_KEY"] = server.api_key


def tearDownModule() -> None:
    os.environ.pop("SWITCHBOARD_EXAMPLE_KEY", None)
    if server is not None:
        server.stop()


def printed(example: Callable[[], None]) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        example()
    return out.getvalue()


class SpecExamplesTest(unittest.TestCase):
    def tearDown(self) -> None:
        from switchboard import NotFoundError, SwitchboardClient

        client = SwitchboardClient(api_key=server.api_key, base_url=server.base_url)
        try:
            client.deployment_channels.delete(client.deployment_channels.get_by_identifier("https://example.com", "web").id)
        except NotFoundError:
            pass

    def test_quick_start_then_get_and_list(self) -> None:
        def quick_start() -> None:
            from switchboard import SwitchboardClient
            from switchboard.models.service_mgt import CreateDeploymentChannel
            from switchboard.models.type_definitions import DeploymentType

            client = SwitchboardClient(api_key=server.api_key, base_url=server.base_url)

            # Create a web deployment channel
            channel = client.deployment_channels.create(
                CreateDeploymentChannel(
                    channel_identifier='https://example.com',
                    deployment_type=DeploymentType.WEB.value,
                    channel_name='Main Website Chat',
                    recording_enabled=True,
                    configuration={
                        'communicationType': 'unified',
                        'widgetConfiguration': {
                            'position': 'right',
                            'customTheme': {
                                'primaryColor': '#007bff',
                            },
                        },
                    },
                )
            )
            print(f'Channel created: {channel.id}')

            # Get by identifier and type
            web_channel = client.deployment_channels.get_by_identifier(
                'https://example.com',
                DeploymentType.WEB.value
            )
            print(f'Found channel: {web_channel.id}')
            channel = client.deployment_channels.get(web_channel.id)
            print(f'Channel name: {channel.channel_name}')
            print(f'Channel type: {channel.deployment_type}')

        def list_channels() -> None:
            from switchboard import SwitchboardClient
            from switchboard.types import PaginationRequest
            from switchboard.models.type_definitions import DeploymentType

            client = SwitchboardClient(api_key=server.api_key, base_url=server.base_url)

            # List all channels
            result = client.deployment_channels.list(
                params=PaginationRequest(page=1, page_size=20)
            )
            print(f'Total channels: {result.meta.total_count}')
            for channel in result.data:
                print(f'- {channel.channel_name} ({channel.deployment_type})')
            # List by type
            web_channels = client.deployment_channels.list_by_type(
                DeploymentType.WEB.value,
                params=PaginationRequest(page=1, page_size=20)
            )
            print(f'Web channels: {len(web_channels.data)}')

        lines = printed(quick_start).splitlines()
        channel_id = lines[0].split(': ')[1]
        self.assertTrue(channel_id.startswith("chan_"))
        self.assertEqual(lines[1:], [f"Found channel: {channel_id}", "Channel name: Main Website Chat", "Channel type: web"])

        listing = printed(list_channels)
        self.assertIn("- Main Website Chat (web)\n", listing)
        self.assertRegex(listing, r"Total channels: [1-9]\d*\n")
        self.assertRegex(listing, r"Web channels: [1-9]\d*\n")

    def test_complete_example(self) -> None:
        import time

        from switchboard import SwitchboardClient
        from switchboard.models.service_mgt import (
            CreateDeploymentChannel,
            UpdateDeploymentChannel,
        )
        from switchboard.models.type_definitions import DeploymentType
        from switchboard.types import PaginationRequest  # noqa: F401  (imported by the example)

        client = SwitchboardClient(api_key=os.environ['SWITCHBOARD_EXAMPLE_KEY'], base_url=server.base_url)

        def manage_deployment_channels():
            timestamp = int(time.time())
            # 1. Create a web deployment channel
            web_channel = client.deployment_channels.create(
                CreateDeploymentChannel(
                    channel_identifier=f'https://test-{timestamp}.example.com',
                    deployment_type=DeploymentType.WEB.value,
                    channel_name='Test Web Channel',
                    recording_enabled=True,
                    configuration={
                        'communicationType': 'unified',
                        'widgetConfiguration': {
                            'position': 'right',
                            'customTheme': {'primaryColor': '#007bff'},
                        },
                    },
                )
            )
            print(f'Channel created: {web_channel.id}')
            # 2. Retrieve channel by ID
            retrieved = client.deployment_channels.get(web_channel.id)
            print(f'Retrieved channel: {retrieved.channel_name}')
            # 3. List all web channels
            web_channels = client.deployment_channels.list_by_type(
                DeploymentType.WEB.value
            )
            print(f'Total web channels: {web_channels.meta.total_count}')
            # 4. Update channel configuration
            updated = client.deployment_channels.update(
                UpdateDeploymentChannel(
                    id=web_channel.id,
                    channel_name='Updated Test Channel',
                    recording_enabled=False,
                )
            )
            print(f'Updated channel name: {updated.channel_name}')
            print(f'Recording enabled: {updated.recording_enabled}')
            # 5. Find channel by identifier
            found = client.deployment_channels.get_by_identifier(
                web_channel.channel_identifier,
                DeploymentType.WEB.value
            )
            print(f'Found by identifier: {found.id}')
            # 6. Clean up
            client.deployment_channels.delete(web_channel.id)
            print('Channel deleted')

        lines = printed(manage_deployment_channels).splitlines()
        channel_id = lines[0].split(': ')[1]
        self.assertEqual(
            lines[1:],
            [
                "Retrieved channel: Test Web Channel",
                lines[2],
                "Updated channel name: Updated Test Channel",
                "Recording enabled: False",
                f"Found by identifier: {channel_id}",
                "Channel deleted",
            ],
        )
        self.assertRegex(lines[2], r"^Total web channels: [1-9]\d*$")

    def test_channel_already_exists(self) -> None:
        from switchboard import SwitchboardClient
        from switchboard.models.service_mgt import CreateDeploymentChannel
        from switchboard.models.type_definitions import DeploymentType

        client = SwitchboardClient(api_key=server.api_key, base_url=server.base_url)

        def create_unless_present() -> None:
            try:
                existing = client.deployment_channels.get_by_identifier(
                    'https://example.com',
                    DeploymentType.WEB.value
                )
                print(f'Channel already exists: {existing.id}')
            except Exception:
                # Channel doesn't exist, safe to create
                new_channel = client.deployment_channels.create(
                    CreateDeploymentChannel(
                        channel_identifier='https://example.com',
                        deployment_type=DeploymentType.WEB.value,
                        configuration={'communicationType': 'unified'},
                    )
                )
                print(f'Created: {new_channel.id}')

        created = printed(create_unless_present)
        self.assertRegex(created, r"^Created: chan_\w+\n$")
        again = printed(create_unless_present)
        self.assertEqual(again, "Channel already exists: " + created.split(": ")[1])

    def test_missing_phone_configuration(self) -> None:
        from switchboard import SwitchboardClient
        from switchboard.models.service_mgt import CreateDeploymentChannel
        from switchboard.models.type_definitions import DeploymentType

        client = SwitchboardClient(api_key=server.api_key, base_url=server.base_url)
        client.phone_configurations.create({"phoneNumber": "+12025551234", "provider": "twilio"})

        # Ensure phone config exists
        phone_configs = client.phone_configurations.list()
        phone_config_id = phone_configs.data[0].id if phone_configs.data else None
        if not phone_config_id:
            raise ValueError('No phone configuration available')
        channel = client.deployment_channels.create(
            CreateDeploymentChannel(
                channel_identifier='+12025551234',
                deployment_type=DeploymentType.CALLS.value,
                configuration={
                    'phoneConfigurationId': phone_config_id,  # Must be valid
                },
            )
        )
        self.assertEqual(channel.configuration.phone_configuration_id, phone_config_id)
        deleted_with_phone = client.deployment_channels.delete(
            channel.id,
            delete_phone_config=True
        )
        self.assertTrue(deleted_with_phone)


if __name__ == "__main__":
    unittest.main()
