from .agents import AgentsResource
from .channel import ChannelResource
from .connections import ConnectionsResource
from .conversations import ConversationsResource
from .deliveries import DeliveriesResource
from .deployment_channels import DeploymentChannelsResource
from .deployment_configurations import DeploymentConfigurationsResource
from .phone_configurations import PhoneConfigurationsResource
from .secrets import SecretsResource
from .teams import TeamsResource
from .web_deployments import WebDeploymentsResource
from .webhooks import WebhooksResource
from .workflows import WorkflowsResource
from .workspaces import WorkspacesResource

__all__ = [
    "AgentsResource",
    "ChannelResource",
    "ConnectionsResource",
    "ConversationsResource",
    "DeliveriesResource",
    "DeploymentChannelsResource",
    "DeploymentConfigurationsResource",
    "PhoneConfigurationsResource",
    "SecretsResource",
    "TeamsResource",
    "WebDeploymentsResource",
    "WebhooksResource",
    "WorkflowsResource",
    "WorkspacesResource",
]
