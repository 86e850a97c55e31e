"""In-process domain events: how an app lets the apps above it react without importing them.

A service publishes an event (a frozen dataclass) inside its transaction. Each handler subscribed to that kind of
event runs either

* **on commit** (the default): after the change is safely stored. A handler that fails is logged and the change
  stands; nothing it does can undo what it reacts to. Outside a transaction it runs at once.
* **in the transaction** (``in_transaction=True``): where its write must stand or fall with the change (the
  record of a reply's check). It may refuse the change by raising a ``DomainError``: the service's transaction
  rolls back and the caller sees the error, as if the service had raised it.

Which handler reacts to which event is written in one place, ``gongzhi/web/reactions.py`` (the shell, which
may import every app), connected once when Django starts. Read it for "what happens after X".
"""
from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from django.db import transaction

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Event:
    """Base of every domain event; the publisher's app defines its own in ``events.py``."""


Handler = Callable[[Event], None]
_on_commit: dict[type[Event], list[Handler]] = defaultdict(list)
_in_transaction: dict[type[Event], list[Handler]] = defaultdict(list)


def subscribe(event_type: type[Event], handler: Handler, *, in_transaction: bool = False) -> None:
    """Let ``handler`` react to every event of ``event_type`` (once: subscribing twice changes nothing)."""
    handlers = (_in_transaction if in_transaction else _on_commit)[event_type]
    if handler not in handlers:
        handlers.append(handler)


def unsubscribe(event_type: type[Event], handler: Handler) -> None:
    for table in (_on_commit, _in_transaction):
        if handler in table[event_type]:
            table[event_type].remove(handler)


def handlers(event_type: type[Event]) -> dict[str, list[Handler]]:
    """Who reacts to ``event_type``, for the docs and the tests."""
    return {"in_transaction": list(_in_transaction[event_type]), "on_commit": list(_on_commit[event_type])}


def publish(event: Event) -> None:
    """Run the in-transaction handlers now, in order (one raising stops the rest and the caller's change), and
    queue the others for when the change commits."""
    for handler in _in_transaction[type(event)]:
        handler(event)
    for handler in _on_commit[type(event)]:
        transaction.on_commit(partial(_run, handler, event))


def _run(handler: Handler, event: Event) -> None:
    try:
        handler(event)
    except Exception:  # the change is committed: a failing reaction is logged, never undoes it
        log.exception("handler %s failed on %r", getattr(handler, "__qualname__", handler), event)
