"""Typed request models. Field names are snake_case; they are sent in camelCase and
fields left as None are omitted. Nested objects such as ``configuration`` are sent as given."""
from dataclasses import dataclass
from typing import Any, Dict, Optional


@dataclass
class CreateDeploymentChannel:
    channel_identifier: str
    deployment_type: str
    configuration: Optional[Dict[str, Any]] = None
    channel_name: Optional[str] = None
    recording_enabled: Optional[bool] = None


@dataclass
class UpdateDeploymentChannel:
    id: str
    channel_identifier: Optional[str] = None
    deployment_type: Optional[str] = None
    channel_name: Optional[str] = None
    recording_enabled: Optional[bool] = None
    configuration: Optional[Dict[str, Any]] = None


@dataclass
class CreatePhoneConfiguration:
    phone_number: str
    provider: str
    friendly_name: Optional[str] = None
    connection_id: Optional[str] = None


@dataclass
class UpdatePhoneConfiguration:
    id: str
    friendly_name: Optional[str] = None


@dataclass
class CreateDeploymentConfiguration:
    deployment_channel_id: str
    agent_id: str
    deployment_name: Optional[str] = None
    instructions: Optional[str] = None
    status: Optional[str] = None


@dataclass
class UpdateDeploymentConfiguration:
    id: str
    deployment_name: Optional[str] = None
    instructions: Optional[str] = None
    status: Optional[str] = None
    agent_id: Optional[str] = None
