"""Maps frozen pydantic events to stored events and back, keeping `class_version` upcasting.

The stored state is the event's JSON (pydantic's own serialiser: fields in declaration order,
no whitespace), so the bytes are canonical for a given class version and the hash chain can be
recomputed from them. An event class with ``class_version = n > 1`` stores ``"class_version": n``
and defines ``upcast_v1_v2(state)``, ``upcast_v2_v3(state)``, ...; reading an older stored event
applies them in turn before validation. (The library's pydantic example mapper skips this step.)
"""

from __future__ import annotations

import json
from typing import Any

from eventsourcing.persistence import Mapper, MapperDeserialisationError, StoredEvent, Transcoder, Transcoding
from eventsourcing.utils import get_topic, resolve_topic

from ledger.events.base import LedgerEvent, with_on_behalf_of


class UnusedTranscoder(Transcoder):
    """The library's Mapper wants a transcoder; pydantic does the encoding here."""

    def register(self, transcoding: Transcoding) -> None:  # pragma: no cover - never called
        raise NotImplementedError

    def encode(self, obj: Any) -> bytes:  # pragma: no cover - never called
        return json.dumps(obj).encode()

    def decode(self, data: bytes) -> Any:  # pragma: no cover - never called
        return json.loads(data)


class PydanticMapper(Mapper[Any]):
    def __init__(self) -> None:
        super().__init__(transcoder=UnusedTranscoder())
        self._classes: dict[str, type[LedgerEvent]] = {}
        self._topics: dict[type[Any], str] = {}

    def topic_of(self, cls: type[Any]) -> str:
        topic = self._topics.get(cls)
        if topic is None:
            topic = self._topics[cls] = get_topic(cls)
        return topic

    def class_of(self, topic: str) -> type[LedgerEvent]:
        cls = self._classes.get(topic)
        if cls is None:
            cls = self._classes[topic] = resolve_topic(topic)
        return cls

    def encode(self, event: LedgerEvent) -> bytes:
        cls = type(event)
        version = cls.class_version
        if version == 1:
            # What event.model_dump_json() writes, as bytes, without its keyword handling and the
            # round trip through str.
            state_json: bytes = cls.__pydantic_serializer__.to_json(event)
            return state_json if event.on_behalf_of is None else with_on_behalf_of(state_json, event)
        state = event.model_dump(mode="json")
        if event.on_behalf_of is not None:
            state["on_behalf_of"] = event.on_behalf_of
        state["class_version"] = version
        return json.dumps(state, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        return StoredEvent(
            originator_id=domain_event.originator_id,
            originator_version=domain_event.originator_version,
            topic=self.topic_of(type(domain_event)),
            state=self.encode(domain_event),
        )

    def decode(self, topic: str, state: bytes) -> LedgerEvent:
        cls = self.class_of(topic)
        try:
            if cls.class_version == 1:
                return cls.model_validate_json(state)
            data = json.loads(state)
            version = data.pop("class_version", 1)
            while version < cls.class_version:
                getattr(cls, f"upcast_v{version}_v{version + 1}")(data)
                version += 1
            return cls.model_validate(data)
        except ValueError as error:
            raise MapperDeserialisationError(f"cannot read stored event {topic}: {error}") from error

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        return self.decode(stored_event.topic, stored_event.state)
