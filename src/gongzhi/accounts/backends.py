from django.contrib.auth.backends import ModelBackend
from django.db.models import Q

from gongzhi.registry.validators import normalise_phone

from .models import User


def find_account(typed: str | None) -> User | None:
    """The account a typed log-in name means: its user name, or its mobile however written (spaces, +86, full
    width). One reading for logging in and for counting failures, so they cannot disagree."""
    typed = (typed or "").strip()
    if not typed:
        return None
    match = Q(username=typed)
    if phone := normalise_phone(typed):
        match |= Q(phone=phone)
    return User.objects.filter(match).order_by("id").first()


def lockout_name(request, credentials=None) -> str:
    """What django-axes counts failed log-ins by (with the address): the account the typed name resolves to, else
    the name normalised. Counted by the name as typed, 8 spellings of one phone gave 32 guesses without a lock
    (issue 21). Remembered on the request: axes asks several times per attempt."""
    typed = (credentials or {}).get("username")
    if typed is None:
        typed = request.POST.get("username", "") if request is not None else ""
    typed = str(typed)
    known = getattr(request, "_lockout_names", None)
    if known is None:
        known = {}
        if request is not None:
            request._lockout_names = known
    if typed not in known:
        user = find_account(typed)
        known[typed] = (user.username if user else normalise_phone(typed))[:255]  # AccessAttempt.username
    return known[typed]


class UsernameOrPhoneBackend(ModelBackend):
    """Log in with the user name or the mobile number (older residents remember their number)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        user = find_account(username)
        if user is None:
            User().set_password(password)  # same work as a real check: no timing hint that the name is unknown
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
