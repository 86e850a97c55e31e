from django.utils.functional import SimpleLazyObject


def navigation(request):
    from gongzhi.navigation import menus

    user = getattr(request, "user", None)
    lazy = SimpleLazyObject(lambda: menus(user))
    return {
        "nav": lazy,
        "large_text": getattr(request, "large_text", False),
    }
