from django.utils.functional import SimpleLazyObject

from .navigation import menus


def navigation(request):
    user = getattr(request, "user", None)
    menu = SimpleLazyObject(lambda: menus(user))

    def active() -> str:
        """The menu entry whose URL is the longest prefix of this page's path."""
        urls = [item["url"] for item in (*menu["staff_menu"], *menu["portal_menu"])]
        matches = [u for u in urls if request.path.startswith(u)]
        return max(matches, key=len) if matches else ""

    return {
        "here": here(request),
        "nav": menu,
        "nav_active": SimpleLazyObject(active),
        "large_text": getattr(request, "large_text", False),
    }


def here(request) -> str:
    """Where "back to this page" leads (the language switch, large type): this address for a page one can GET; for
    a page rendered in answer to a POST (a reply held back for a check), the page the view names as its own
    (``request.page_path``), since going back to a POST-only address fails with 405."""
    if request.method in ("GET", "HEAD"):
        return request.get_full_path()
    return getattr(request, "page_path", "") or "/"
