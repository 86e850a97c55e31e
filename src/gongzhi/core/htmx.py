"""One URL serves the full page or, for an HTMX request, just the fragment that changed."""

from django.shortcuts import render


def render_page(request, template: str, context: dict, *, partial: str = "content", status: int = 200):
    """Render ``template``; for an HTMX request that targets a fragment, only ``template#partial``.

    Boosted navigation (hx-boost) wants the whole page, so only non-boosted HTMX requests get the partial.
    """
    if getattr(request, "htmx", False) and not request.htmx.boosted:
        template = f"{template}#{partial}"
    return render(request, template, context, status=status)
