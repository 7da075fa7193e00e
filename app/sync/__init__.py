"""Signed sync between sites: outbox → RQ → HTTP → inbox (../shared/DESIGN.md).

    envelope.py   the one message shape, built and checked
    registry.py   message type → payload schema, how to apply it, sender hook
    messages/     one module per family of message types
    signing.py    Standard Webhooks signatures with several keys per peer
    outbox.py     record a message with the business change; enqueue after commit
    delivery.py   one delivery attempt, retry schedule, dead letters
    inbox.py      POST /interop/v1/messages and GET /interop/v1/feed
    sweeper.py    re-enqueue what is due and held by no job
    tasks.py      RQ entry points (one app per site, cached per worker)
    feed.py       reconcile from a peer's change feed
"""
