"""Request models and enumerations; ``switchboard.models.service_mgt`` and
``switchboard.models.type_definitions`` hold them under the names the product documents use."""
from ..record import Record
from .service_mgt import (
    CreateDeploymentChannel,
    CreateDeploymentConfiguration,
    CreatePhoneConfiguration,
    UpdateDeploymentChannel,
    UpdateDeploymentConfiguration,
    UpdatePhoneConfiguration,
)
from .type_definitions import DeploymentStatus, DeploymentType

__all__ = [
    "Record",
    "CreateDeploymentChannel",
    "UpdateDeploymentChannel",
    "CreatePhoneConfiguration",
    "UpdatePhoneConfiguration",
    "CreateDeploymentConfiguration",
    "UpdateDeploymentConfiguration",
    "DeploymentType",
    "DeploymentStatus",
]
