from typing import Any, Dict, Optional

from .config import DEFAULT_BASE_URL, DEFAULT_TIMEOUT, resolve_config
from .http import HttpClient
from .resources import (
    AgentsResource,
    ChannelResource,
    ConnectionsResource,
    ConversationsResource,
    DeliveriesResource,
    DeploymentChannelsResource,
    DeploymentConfigurationsResource,
    PhoneConfigurationsResource,
    SecretsResource,
    TeamsResource,
    WebDeploymentsResource,
    WebhooksResource,
    WorkflowsResource,
    WorkspacesResource,
)


class SwitchboardClient:
    """Client for the Switchboard API.

    ``base_url`` is the server root (``/v1`` is appended unless already there); ``timeout`` is
    per request, in seconds. Raises ConfigurationError when api_key is missing or an option is unusable.

    >>> client = SwitchboardClient(api_key="sk_...", base_url="https://switchboard.example.com")
    >>> channel = client.deployment_channels.get("chan_123")
    """

    def __init__(
        self,
        api_key: Any = None,
        base_url: Optional[str] = DEFAULT_BASE_URL,
        timeout: float = DEFAULT_TIMEOUT,
        headers: Optional[Dict[str, str]] = None,
    ) -> None:
        self._config = resolve_config(api_key, base_url, timeout, headers)
        http = HttpClient(self._config)
        self.deployment_channels = DeploymentChannelsResource(http)
        self.phone_configs = PhoneConfigurationsResource(http)
        self.phone_configurations = self.phone_configs
        self.deployment_configurations = DeploymentConfigurationsResource(http)
        self.agents = AgentsResource(http)
        self.deployments = WebDeploymentsResource(http)
        self.web_deployments = self.deployments
        self.conversations = ConversationsResource(http)
        self.secrets = SecretsResource(http)
        self.connections = ConnectionsResource(http)
        self.deliveries = DeliveriesResource(http)
        self.teams = TeamsResource(http)
        self.workflows = WorkflowsResource(http)
        self.webhooks = WebhooksResource(http)
        self.channel = ChannelResource(http)
        self.workspaces = WorkspacesResource(http)

    @property
    def api_url(self) -> str:
        """The API root requests go to, ending in ``/v1``."""
        return self._config.api_url

    def __repr__(self) -> str:
        return f"SwitchboardClient(api_url={self._config.api_url!r})"
