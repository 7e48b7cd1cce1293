"""Checks made before a request is sent, and conversion of request objects to JSON bodies."""
import dataclasses
from enum import Enum
from typing import Any, Dict, Mapping, Tuple

from .errors import ValidationError
from .record import snake_to_camel


def require_id(value: Any, field: str = "id") -> str:
    """Returns ``value`` when it is a non-empty string; raises a ValidationError naming ``field`` otherwise."""
    if isinstance(value, str) and value.strip() != "":
        return value
    raise ValidationError([{"field": field, "message": f"{field} must be a non-empty string"}])


def to_body(request: Any, what: str = "request") -> Dict[str, Any]:
    """A request body from a dict (sent as given, camelCase keys as the API documents them) or a
    dataclass (its fields renamed to camelCase, fields left as None omitted)."""
    if dataclasses.is_dataclass(request) and not isinstance(request, type):
        body = {}
        for f in dataclasses.fields(request):
            value = getattr(request, f.name)
            if value is not None:
                body[snake_to_camel(f.name)] = _plain(value)
        return body
    if isinstance(request, Mapping):
        return {str(k): _plain(v) for k, v in request.items()}
    raise ValidationError([{"field": "", "message": f"{what} must be a dict or a request model"}])


def split_update(request: Any) -> Tuple[str, Dict[str, Any]]:
    """Checks an update request of the form ``{id, ...fields}`` and returns the id and the other fields."""
    body = to_body(request, "Update request")
    return require_id(body.get("id"), "id"), {k: v for k, v in body.items() if k != "id"}


def same_id(body: Mapping[str, Any], id: str) -> None:
    """An ``id`` inside an update body must be the one the method was called with."""
    given = body.get("id")
    if given is not None and given != id:
        raise ValidationError([{"field": "id", "message": f"must match the id argument ({id})"}])


def require_fields(body: Mapping[str, Any], *fields: str) -> None:
    missing = [f for f in fields if body.get(f) is None or body.get(f) == ""]
    if missing:
        raise ValidationError([{"field": f, "message": f"{f} is required"} for f in missing])


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return to_body(value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value
