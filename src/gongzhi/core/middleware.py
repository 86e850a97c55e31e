class UserPreferencesMiddleware:
    """Large type (适老化) from the account, else from a cookie so it works before logging in."""

    COOKIE = "gz_large_text"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        from_account = bool(user is not None and user.is_authenticated and user.large_text)
        request.large_text = from_account or request.COOKIES.get(self.COOKIE) == "1"
        return self.get_response(request)
