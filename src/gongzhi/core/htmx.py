"""One URL serves the full page or, for an HTMX request, just the fragment that changed."""

from django.shortcuts import render
from django.utils.cache import patch_vary_headers


def render_page(request, template: str, context: dict, *, partial: str = "content", status: int = 200):
    """Render ``template``; for an HTMX request that targets a fragment, only ``template#partial``.

    Boosted navigation (hx-boost) and HTMX restoring a page from history want the whole page, so only other
    HTMX requests get the partial. The answer varies on HX-Request: the browser must not show a cached fragment
    when Back returns to the address a filter put in the bar.
    """
    htmx = getattr(request, "htmx", False)
    if htmx and not htmx.boosted and not htmx.history_restore_request:
        template = f"{template}#{partial}"
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ("HX-Request",))
    return response
