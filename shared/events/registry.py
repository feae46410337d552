"""Which payload model belongs to which event type, version and topic."""

import builtins
from collections.abc import Callable
from dataclasses import dataclass

from pydantic import BaseModel


class UnknownEventType(LookupError):
    pass


@dataclass(frozen=True)
class EventSpec:
    type: str
    version: int
    topic: str
    model: builtins.type[BaseModel]


class EventRegistry:
    def __init__(self) -> None:
        self._by_key: dict[tuple[str, int], EventSpec] = {}
        self._by_model: dict[type[BaseModel], EventSpec] = {}

    def register(
        self, type_name: str, *, version: int = 1, topic: str
    ) -> Callable[[type[BaseModel]], type[BaseModel]]:
        def decorate(model: type[BaseModel]) -> type[BaseModel]:
            key = (type_name, version)
            if key in self._by_key and self._by_key[key].model is not model:
                raise ValueError(f"event type {type_name} v{version} registered twice")
            spec = EventSpec(type_name, version, topic, model)
            self._by_key[key] = spec
            self._by_model[model] = spec
            return model

        return decorate

    def model_for(self, type_name: str, version: int) -> type[BaseModel]:
        try:
            return self._by_key[(type_name, version)].model
        except KeyError:
            raise UnknownEventType(f"{type_name} v{version}") from None

    def spec_for_model(self, model: type[BaseModel]) -> EventSpec:
        return self._by_model[model]

    def knows(self, type_name: str, version: int) -> bool:
        return (type_name, version) in self._by_key

    def specs(self) -> list[EventSpec]:
        return sorted(self._by_key.values(), key=lambda s: (s.topic, s.type, s.version))

    def topics(self) -> set[str]:
        return {spec.topic for spec in self._by_key.values()}


registry = EventRegistry()
