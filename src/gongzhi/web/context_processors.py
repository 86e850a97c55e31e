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
        "nav": menu,
        "nav_active": SimpleLazyObject(active),
        "large_text": getattr(request, "large_text", False),
    }
