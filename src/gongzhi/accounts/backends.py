from django.contrib.auth.backends import ModelBackend
from django.db.models import Q

from gongzhi.registry.validators import normalise_phone

from .models import User


class UsernameOrPhoneBackend(ModelBackend):
    """Log in with the user name or the mobile number (older residents remember their number)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        username = username.strip()
        match = Q(username=username)
        if phone := normalise_phone(username):
            match |= Q(phone=phone)
        user = User.objects.filter(match).order_by("id").first()
        if user is None:
            User().set_password(password)  # same work as a real check: no timing hint that the name is unknown
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
