"""The other resources against the real server: agents, web deployments, deployment configurations,
conversations and hand-off, deliveries, secrets, connections, webhooks, teams, workflows,
workspaces and the channel service (client.channel)."""
import json
import time
import unittest
import urllib.request
from typing import Any, Dict, Optional, Tuple

from support import LiveServer, unique, unique_site

from switchboard import (
    APIError,
    AuthenticationError,
    ConflictError,
    NotFoundError,
    SwitchboardClient,
    ValidationError,
)
from switchboard.models import CreateDeploymentConfiguration, DeploymentStatus
from switchboard.types import PaginationRequest

ORIGIN = "https://shop.example.com"

server: Optional[LiveServer] = None
admin: SwitchboardClient
client: SwitchboardClient


def setUpModule() -> None:
    global server, admin, client
    server = LiveServer().start()
    admin = SwitchboardClient(api_key=server.api_key, base_url=server.base_url)
    created = admin.workspaces.create({"name": "Python SDK"})
    client = SwitchboardClient(api_key=created.api_key.key, base_url=server.base_url)


def tearDownModule() -> None:
    if server is not None:
        server.stop()


def runtime(path: str, token: str, body: Dict[str, Any], headers: Optional[Dict[str, str]] = None) -> Tuple[int, Any]:
    """Calls the public runtime API the way the widget does."""
    request = urllib.request.Request(
        f"{server.base_url}/v1/public/runtime{path}",
        data=json.dumps(body).encode(),
        method="POST",
        headers={"authorization": f"Bearer {token}", "origin": ORIGIN, "content-type": "application/json", **(headers or {})},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, json.loads(response.read())


def widget_conversation() -> str:
    """A widget conversation in which the visitor said hello; returns its id once the agent answered."""
    agent = client.agents.create({"name": "Echo"})
    deployment = client.deployments.create(agent.id, {"allowedOrigins": [ORIGIN], "channel": {"channelIdentifier": unique_site()}})
    status, started = runtime("/sessions", deployment.token, {})
    assert status == 201, started
    session = started["data"]
    status, _ = runtime(
        f"/sessions/{session['sessionId']}/messages",
        deployment.token,
        {"text": "Hello there", "clientMessageId": "c-1"},
        {"x-visitor-token": session["visitorToken"]},
    )
    assert status == 202
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if client.conversations.messages(session["sessionId"]).meta.total_count >= 2:
            break
        time.sleep(0.05)
    return session["sessionId"]


class AgentsAndDeploymentsTest(unittest.TestCase):
    def test_agent_crud(self) -> None:
        agent = client.agents.create({"name": "Concierge", "introductionMessage": "Hi!"})
        self.assertTrue(agent.id.startswith("agent_"))
        self.assertEqual(client.agents.get(agent.id).introduction_message, "Hi!")
        self.assertEqual(client.agents.update({"id": agent.id, "name": "Host"}).name, "Host")
        self.assertIn(agent.id, [a.id for a in client.agents.list(params=PaginationRequest(page_size=1000))])
        self.assertTrue(client.agents.delete(agent.id))
        with self.assertRaises(NotFoundError):
            client.agents.get(agent.id)

    def test_web_deployment_token_snippet_revoke(self) -> None:
        agent = client.agents.create({"name": "Widget bot"})
        issued = client.deployments.create(
            agent.id, {"name": "Shop widget", "allowedOrigins": [ORIGIN], "channel": {"channelIdentifier": unique_site()}}
        )
        self.assertTrue(issued.token.startswith("cdp_"))
        self.assertIn(issued.token, issued.embed_snippet)
        listed = client.deployments.list(agent.id)
        self.assertEqual((listed.meta.total_count, listed.data[0].id), (1, issued.id))
        self.assertNotIn("token", client.deployments.get(agent.id, issued.id))
        renamed = client.deployments.update(agent.id, issued.id, {"name": "Renamed"})
        self.assertEqual(renamed.name, "Renamed")
        self.assertIn("script", json.dumps(client.deployments.embed_snippet(agent.id, issued.id)))
        rotated = client.deployments.rotate(agent.id, issued.id)
        self.assertNotEqual(rotated.token, issued.token)
        self.assertIsNotNone(client.deployments.revoke(agent.id, issued.id).revoked_at)
        with self.assertRaises(ValidationError):
            client.deployments.update(agent.id, issued.id, {"id": "dep_other"})

    def test_deployment_configuration_lifecycle(self) -> None:
        agent = client.agents.create({"name": "Configured"})
        channel = client.deployment_channels.create(
            {"channelIdentifier": unique_site(), "deploymentType": "web", "configuration": {"communicationType": "text"}}
        )
        created = client.deployment_configurations.create(
            CreateDeploymentConfiguration(deployment_channel_id=channel.id, agent_id=agent.id, deployment_name="Site")
        )
        self.assertEqual(created.status, DeploymentStatus.PENDING.value)
        self.assertEqual(client.deployment_configurations.get_by_channel(channel.id).id, created.id)
        self.assertEqual(client.deployment_configurations.list_by_agent(agent.id).meta.total_count, 1)
        self.assertEqual(client.deployment_configurations.activate(created.id).status, "active")
        with self.assertRaises(ConflictError) as caught:
            client.deployment_configurations.delete(created.id)
        self.assertEqual(caught.exception.message, "Cannot delete active deployment")
        with self.assertRaises(ConflictError):
            client.deployment_configurations.create({"deploymentChannelId": channel.id, "agentId": agent.id})
        self.assertEqual(client.deployment_configurations.pause(created.id).status, "paused")
        self.assertTrue(client.deployment_configurations.delete(created.id))

    def test_setup_creates_channel_and_deployment_together(self) -> None:
        agent = client.agents.create({"name": "Set up"})
        site = unique_site()
        result = client.deployment_configurations.setup(
            {
                "agentId": agent.id,
                "status": "active",
                "channel": {"channelIdentifier": site, "deploymentType": "web", "configuration": {"communicationType": "unified"}},
            }
        )
        self.assertEqual(result.channel.channel_identifier, site)
        self.assertEqual((result.deployment.deployment_channel_id, result.deployment.status), (result.channel.id, "active"))
        self.assertEqual(client.deployment_configurations.get(result.deployment.id).agent_id, agent.id)
        listed = client.deployment_configurations.list(params=PaginationRequest(page=1, page_size=1000))
        self.assertIn(result.deployment.id, [d.id for d in listed])


class ConversationsTest(unittest.TestCase):
    def test_transcript_and_agent_reply(self) -> None:
        conversation_id = widget_conversation()
        self.assertIn(conversation_id, [c.id for c in client.conversations.list(params=PaginationRequest(page_size=1000))])
        conversation = client.conversations.get(conversation_id)
        self.assertEqual(conversation.handoff_state, "bot")
        transcript = client.conversations.messages(conversation_id)
        self.assertEqual(transcript.data[0].text, "Hello there")
        posted = client.conversations.post_message(conversation_id, {"text": "A human will follow up.", "clientMessageId": "late-1"})
        again = client.conversations.post_message(conversation_id, {"text": "A human will follow up.", "clientMessageId": "late-1"})
        self.assertEqual(posted.id, again.id)
        with self.assertRaises(NotFoundError):
            client.conversations.post_message("conv_doesnotexist", {"text": "hi"})

    def test_handoff_accept_resolve_hand_back(self) -> None:
        conversation_id = widget_conversation()
        team = client.teams.create({"name": unique("Tier 2")})
        member = client.teams.add_member(team.id, {"name": "Ana", "email": f"{unique('ana')}@example.com"})
        pending = client.conversations.handoff(conversation_id, team_id=team.id, reason="VIP customer")
        self.assertEqual((pending.handoff_state, pending.assigned_team_id), ("pending_human", team.id))
        with self.assertRaises(ConflictError):
            client.conversations.handoff(conversation_id)
        accepted = client.conversations.accept(conversation_id, member.id)
        self.assertEqual((accepted.handoff_state, accepted.assigned_member_id), ("human", member.id))
        reply = client.conversations.post_message(conversation_id, {"role": "human", "memberId": member.id, "text": "Taking over."})
        self.assertEqual(reply.text, "Taking over.")
        self.assertEqual(client.conversations.resolve(conversation_id).handoff_state, "resolved")
        self.assertEqual(client.conversations.hand_back(conversation_id).handoff_state, "bot")


class DeliveriesTest(unittest.TestCase):
    def test_list_filters_and_unknown_retry(self) -> None:
        dead = client.deliveries.list(status="dead")
        self.assertEqual((dead.meta.page, dead.meta.total_count), (1, 0))
        self.assertEqual(client.deliveries.list(params=PaginationRequest(page=2, page_size=5)).meta.page, 2)
        with self.assertRaises(NotFoundError):
            client.deliveries.retry("dlv_doesnotexist")
        with self.assertRaises(NotFoundError):
            client.deliveries.get("dlv_doesnotexist")

    def test_list_one_webhook_subscriptions_deliveries(self) -> None:
        tested = client.webhooks.create({"url": "http://127.0.0.1:9/tested", "events": ["delivery.failed"]})
        quiet = client.webhooks.create({"url": "http://127.0.0.1:9/quiet", "events": ["delivery.failed"]})
        try:
            sent = {client.webhooks.test(tested.id).delivery_id for _ in range(3)}
            page = client.deliveries.list(params={"pageSize": 2}, subscription_id=tested.id)
            self.assertEqual((page.meta.total_count, page.meta.total_pages, len(page.data)), (3, 2, 2))
            rest = client.deliveries.list(params={"page": 2, "pageSize": 2}, subscription_id=tested.id)
            self.assertEqual({d.id for d in page.data} | {d.id for d in rest.data}, sent)
            self.assertTrue(all(d.kind == "event" and d.connection_id == tested.id for d in page.data + rest.data))
            self.assertEqual(client.deliveries.list(subscription_id=quiet.id).meta.total_count, 0)
            # An event delivery is not a reply through a connection of that id.
            self.assertEqual(client.deliveries.list(connection_id=tested.id).meta.total_count, 0)
        finally:
            client.webhooks.delete(tested.id)
            client.webhooks.delete(quiet.id)


class SecretsAndConnectionsTest(unittest.TestCase):
    def test_secret_value_is_never_read_back(self) -> None:
        value = "sk-live-" + "s3cr3t" * 6
        secret = client.secrets.create({"name": unique("token"), "value": value})
        self.assertNotIn(value, json.dumps(secret))
        self.assertNotIn(value, json.dumps(client.secrets.get(secret.id)))
        replaced = client.secrets.update(secret.id, {"value": value + "-2"})
        self.assertNotEqual(replaced.fingerprint, secret.fingerprint)
        with self.assertRaises(ConflictError):
            client.secrets.create({"name": secret.name, "value": "other"})
        self.assertTrue(client.secrets.delete(secret.id))

    def test_connection_crud_and_inbound_secret(self) -> None:
        secret = client.secrets.create({"name": unique("twilio-auth"), "value": "auth-token-value-0123456789"})
        connection = client.connections.create(
            {
                "provider": "twilio",
                "name": "Twilio",
                "settings": {"accountSid": "AC" + "0" * 32},
                "credentials": {"authToken": secret.id},
                "apiBaseUrl": "http://127.0.0.1:9",
            }
        )
        self.assertTrue(connection.id.startswith("conn_"))
        self.assertEqual(client.connections.get(connection.id).name, "Twilio")
        self.assertEqual(client.connections.update(connection.id, {"name": "Twilio US"}).name, "Twilio US")
        rotated = client.connections.rotate_inbound_secret(connection.id)
        self.assertEqual(rotated.id, connection.id)
        self.assertIn(connection.id, [c.id for c in client.connections.list()])
        self.assertTrue(client.connections.delete(connection.id))


class TeamsWorkflowsWebhooksTest(unittest.TestCase):
    def test_teams_members_observers_and_channel_teams(self) -> None:
        team = client.teams.create({"name": unique("Desk"), "description": "First line"})
        member = client.teams.add_member(team.id, {"name": "Ben", "email": f"{unique('ben')}@example.com"})
        observer = client.teams.add_observer(team.id, {"name": "Obs", "email": f"{unique('obs')}@example.com"})
        self.assertEqual([o.id for o in client.teams.list_observers(team.id)], [observer.id])
        self.assertEqual([m.id for m in client.teams.get(team.id).members], [member.id])
        channel = client.deployment_channels.create(
            {"channelIdentifier": unique_site(), "deploymentType": "web", "configuration": {"communicationType": "text"}}
        )
        self.assertEqual([t.id for t in client.teams.set_channel_teams(channel.id, [team.id])], [team.id])
        self.assertEqual(client.teams.list_channel_teams(channel.id).meta.total_count, 1)
        self.assertTrue(client.teams.remove_observer(team.id, observer.id))
        self.assertTrue(client.teams.remove_member(team.id, member.id))
        self.assertEqual(client.teams.update(team.id, {"name": "Renamed desk"}).name, "Renamed desk")
        client.teams.set_channel_teams(channel.id, [])
        self.assertTrue(client.teams.delete(team.id))

    def test_workflow_attach_detach(self) -> None:
        agent = client.agents.create({"name": "Night bot"})
        workflow = client.workflows.create({"name": "Routing", "rules": [], "fallback": {"agentId": agent.id}})
        self.assertTrue(workflow.id.startswith("wf_"))
        channel = client.deployment_channels.create(
            {"channelIdentifier": unique_site(), "deploymentType": "web", "configuration": {"communicationType": "text"}}
        )
        self.assertEqual(client.workflows.attach(channel.id, workflow.id).id, workflow.id)
        self.assertEqual(client.workflows.for_channel(channel.id).id, workflow.id)
        self.assertTrue(client.workflows.detach(channel.id))
        self.assertEqual(client.workflows.update(workflow.id, {"name": "Routing 2"}).name, "Routing 2")
        self.assertTrue(client.workflows.delete(workflow.id))
        with self.assertRaises(NotFoundError):
            client.workflows.get(workflow.id)

    def test_webhook_secret_shown_once(self) -> None:
        created = client.webhooks.create({"url": "http://127.0.0.1:9/hook", "events": ["delivery.failed"]})
        self.assertTrue(created.secret.startswith("whsec_"))
        self.assertNotIn("secret", client.webhooks.get(created.id))
        rotated = client.webhooks.rotate_secret(created.id)
        self.assertNotEqual(rotated.secret, created.secret)
        self.assertEqual(client.webhooks.update(created.id, {"description": "CRM"}).description, "CRM")
        self.assertEqual(client.webhooks.list().meta.total_count, 1)
        self.assertTrue(client.webhooks.delete(created.id))
        with self.assertRaises(APIError) as caught:
            client.webhooks.create({"url": "ftp://hooks.example.com", "events": ["*"]})
        self.assertEqual(caught.exception.status_code, 400)


class WorkspacesTest(unittest.TestCase):
    def test_keys_issue_and_revoke(self) -> None:
        created = admin.workspaces.create({"name": unique("Tenant")})
        workspace_id = created.id
        self.assertTrue(created.api_key.key)
        self.assertEqual(admin.workspaces.get(workspace_id).name, created.name)
        issued = admin.workspaces.create_key(workspace_id, {"name": "ci"})
        tenant = SwitchboardClient(api_key=issued.key, base_url=server.base_url)
        self.assertEqual(tenant.deployment_channels.list().meta.total_count, 0)
        self.assertGreaterEqual(admin.workspaces.list_keys(workspace_id).meta.total_count, 2)
        admin.workspaces.revoke_key(workspace_id, issued.id)
        with self.assertRaises(AuthenticationError):
            tenant.deployment_channels.list()
        self.assertEqual(admin.workspaces.suspend(workspace_id).status, "suspended")
        self.assertEqual(admin.workspaces.resume(workspace_id).status, "active")
        with self.assertRaises(APIError) as caught:
            client.workspaces.list()
        self.assertEqual(caught.exception.status_code, 403)


class ChannelServiceTest(unittest.TestCase):
    def test_messaging_channel_crud_workflow_and_delete_v3(self) -> None:
        before = client.channel.get_count()["count"]
        web = client.channel.create_web({"name": "Website Chat"})
        email = client.channel.create({"type": "email", "name": "Support", "email": f"{unique('support')}@example.com"})
        self.assertEqual((web.type, web.is_active), ("web", False))
        self.assertEqual(client.channel.get_count()["count"], before + 2)
        self.assertEqual(client.channel.get_count(type="email")["count"], 1)
        self.assertIn(email.id, [c.id for c in client.channel.list(type="email")])
        self.assertEqual(client.channel.get(email.id), email)
        renamed = client.channel.update(web.id, {"name": "Renamed", "config": {"widgetConfiguration": {"position": "left"}}})
        self.assertEqual(renamed.config.widget_configuration.position, "left")

        agent = client.agents.create({"name": "Router bot"})
        workflow = client.workflows.create({"name": "Channel routing", "rules": [], "fallback": {"agentId": agent.id}})
        attached = client.channel.update_channel_workflow(web.id, workflow.id)
        self.assertEqual(attached.workflow_id, workflow.id)
        self.assertEqual(client.channel.delete_channel_workflow(web.id), {"success": True})

        self.assertEqual(client.channel.delete_v3(web.id), {"success": True})
        self.assertEqual(client.channel.delete(email.id), {"success": True})
        with self.assertRaises(NotFoundError):
            client.channel.get(email.id)
        self.assertEqual(client.channel.get_count()["count"], before)

    def test_assignable_teams_and_bad_type(self) -> None:
        team = client.teams.create({"name": unique("Assignable")})
        self.assertIn(team.id, [t.get("id", t.get("_id")) for t in client.channel.list_assignable_teams()])
        with self.assertRaises(ValidationError):
            client.channel.list(type="fax")


if __name__ == "__main__":
    unittest.main()
