"""View decorators that ask who the user is: staff pages refuse residents."""
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from gongzhi.core.decorators import domain_errors_as_http

from .scopes import is_staff_user


def staff_required(view):
    """Signed in and holding some staff role; residents get 403 (they have the portal)."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_staff_user(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def staff_view(view):
    return staff_required(domain_errors_as_http(view))
