from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404

from gongzhi.accounts.scopes import is_staff_user

from .errors import DomainError, NotFound, NotPermitted


def staff_required(view):
    """Signed in and holding some staff role; residents get 403 (they have the portal)."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_staff_user(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def domain_errors_as_http(view):
    """NotFound → 404 and NotPermitted → 403 pages for views that let those escape."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotFound as e:
            raise Http404(e.message) from None
        except NotPermitted as e:
            raise PermissionDenied(e.message) from None

    return wrapper


def staff_view(view):
    return staff_required(domain_errors_as_http(view))


__all__ = ["DomainError", "domain_errors_as_http", "staff_required", "staff_view"]
