"""The type of the objects the API returns."""
import re
from typing import Any

_SNAKE = re.compile(r"_([a-z0-9])")


def snake_to_camel(name: str) -> str:
    return _SNAKE.sub(lambda m: m.group(1).upper(), name)


class Record(dict):
    """A JSON object from the API: a dict keyed by the API's camelCase names that also
    answers attribute access under either spelling.

    ``channel["channelName"]``, ``channel.channelName`` and ``channel.channel_name`` are the
    same value. Nested objects are Records too.
    """

    def __getattr__(self, name: str) -> Any:
        if name in self:
            return self[name]
        camel = snake_to_camel(name)
        if camel in self:
            return self[camel]
        raise AttributeError(f"{type(self).__name__} has no field {name!r} (fields: {', '.join(self.keys())})")

    def __dir__(self) -> Any:
        return list(super().__dir__()) + [k for k in self.keys() if k.isidentifier()]
