"""Delivery backends, chosen per channel in ``GONGZHI["NOTIFY_BACKENDS"]`` (dotted paths).

A backend sends one message or raises; the outbox handles retries. The demo and tests use the console."""
import logging
import sys

log = logging.getLogger(__name__)


class ConsoleBackend:
    """Prints messages instead of sending them (the demo; a laptop has no SMS gateway)."""

    def send(self, message) -> None:
        print(f"[{message.channel} → {message.recipient}] {message.subject} {message.body}", file=sys.stderr)


class NullBackend:
    """Drops messages (a deployment without that channel)."""

    def send(self, message) -> None:
        log.debug("dropped %s to %s", message.channel, message.recipient)
