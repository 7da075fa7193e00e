"""Message types: each names its payload schema, how a receiver applies it
and, optionally, what the sender records when delivery succeeds or fails.
The inbox, not the type, drops duplicates and versions older than applied.

A new type is one decorated function in app/sync/messages/.
"""
from dataclasses import dataclass
from typing import Callable

_TYPES: dict[str, "MessageType"] = {}


@dataclass(frozen=True)
class MessageType:
    name: str
    schema: type
    apply: Callable  # apply(envelope, payload); called only for a newer entity_version
    # entity(payload) -> the envelope's `entity` key; the inbox refuses a
    # message whose envelope names another entity than its payload, or the
    # version bookkeeping (older versions ignored) would track the wrong one.
    entity: Callable
    on_outcome: Callable | None = None  # on_outcome(outbox_row, delivered: bool)


def handles(name: str, schema: type, *, entity: Callable, on_outcome: Callable | None = None):
    def register(apply):
        _TYPES[name] = MessageType(name, schema, apply, entity, on_outcome)
        return apply
    return register


def lookup(name: str) -> MessageType | None:
    _load()
    return _TYPES.get(name)


def names() -> list[str]:
    _load()
    return sorted(_TYPES)


def _load():
    # The message modules register themselves when imported.
    from .messages import notice, plan, project  # noqa: F401
