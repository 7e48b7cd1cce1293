"""Enumerations of the API's wire values (all lower-case)."""
from enum import Enum


class DeploymentType(str, Enum):
    CALLS = "calls"
    SMS = "sms"
    WEB = "web"
    MOBILE = "mobile-app"

    def __str__(self) -> str:
        return self.value


class DeploymentStatus(str, Enum):
    PENDING = "pending"
    ACTIVE = "active"
    PAUSED = "paused"
    ARCHIVED = "archived"

    def __str__(self) -> str:
        return self.value
