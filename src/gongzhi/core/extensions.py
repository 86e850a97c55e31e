"""Slots: where an app above adds to a lower app's page without the lower app importing it.

A lower app declares a ``Slot`` for a page (the staff appeal page, the figures page); an app above provides a
function that returns context for it, connected in ``gongzhi/web/reactions.py`` beside the event handlers. The
page's view merges what every provider returns; its template includes the provider's fragment only when its
context is there, so the page works without the app above.
"""
from __future__ import annotations

from collections.abc import Callable


class Slot:
    def __init__(self, name: str, doc: str = ""):
        self.name, self.doc = name, doc
        self.providers: list[Callable[..., dict]] = []

    def provide(self, provider: Callable[..., dict]) -> None:
        if provider not in self.providers:
            self.providers.append(provider)

    def collect(self, **kwargs) -> dict:
        context: dict = {}
        for provider in self.providers:
            context.update(provider(**kwargs))
        return context

    def __repr__(self):
        return f"Slot({self.name!r})"
