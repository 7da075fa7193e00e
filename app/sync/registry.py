"""Message types: each names its payload schema, how a receiver applies it
and, optionally, what the sender records when delivery succeeds or fails.
The inbox, not the type, drops duplicates and versions older than applied.

A new type is one decorated function in app/sync/messages/, or a domain
module's own, registered with `register()` from create_app().
"""
from dataclasses import dataclass
from typing import Callable

_TYPES: dict[str, "MessageType"] = {}
# Work the sweeper does on every run besides re-enqueueing the outbox, e.g.
# a domain releasing what became due (app/expert_draw.release_due): the
# database, not Redis, is what guarantees it happens.
_PERIODIC: list[Callable] = []


@dataclass(frozen=True)
class MessageType:
    name: str
    schema: type
    apply: Callable  # apply(envelope, payload); called only for a newer entity_version
    # entity(payload) -> the envelope's `entity` key; the inbox refuses a
    # message whose envelope names another entity than its payload, or the
    # version bookkeeping (older versions ignored) would track the wrong one.
    entity: Callable
    # The kind of site that receives it ("gps" or "trading"): the inbox of
    # the other kind refuses it, as a type it does not know (a plan.filed
    # sent to GPS was applied there; a lot.status to a platform waited with
    # 425s for three days).
    receiver: str
    on_outcome: Callable | None = None  # on_outcome(outbox_row, delivered: bool)


def handles(name: str, schema: type, *, entity: Callable, receiver: str,
            on_outcome: Callable | None = None):
    def decorate(apply):
        register(name, schema, apply, entity=entity, receiver=receiver, on_outcome=on_outcome)
        return apply
    return decorate


def register(name: str, schema: type, apply: Callable, *, entity: Callable, receiver: str,
             on_outcome: Callable | None = None) -> None:
    """For a domain module that owns its message type: it registers it when
    create_app() wires the app, so app/sync never imports the domain."""
    if receiver not in ("gps", "trading"):
        raise ValueError(f"{name}: receiver must be 'gps' or 'trading', not {receiver!r}")
    _TYPES[name] = MessageType(name, schema, apply, entity, receiver, on_outcome)


def lookup(name: str) -> MessageType | None:
    _load()
    return _TYPES.get(name)


def names() -> list[str]:
    _load()
    return sorted(_TYPES)


def _load():
    # The message modules register themselves when imported.
    from .messages import notice, plan, project  # noqa: F401


def register_periodic(fn: Callable) -> None:
    """A domain's fn() for sweep() to call on every run (registered from
    create_app; once per process, however many apps are built)."""
    if fn not in _PERIODIC:
        _PERIODIC.append(fn)


def periodic() -> list[Callable]:
    return list(_PERIODIC)
