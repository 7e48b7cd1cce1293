from enum import Enum
from typing import Any, Optional

from ..http import HttpClient


class Resource:
    """A group of API methods sharing one HTTP client."""

    def __init__(self, http: HttpClient) -> None:
        self._http = http


def wire(value: Any) -> Optional[str]:
    """An enum member or plain value as its wire string (``DeploymentType.WEB`` -> ``"web"``)."""
    if value is None:
        return None
    if isinstance(value, Enum):
        return str(value.value)
    return str(value)


def deleted(answer: Any) -> bool:
    """A delete answers ``data: true`` (or nothing); only an explicit false means nothing was deleted."""
    return answer is not False
