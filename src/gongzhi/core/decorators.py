from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404

from .errors import NotFound, NotPermitted


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
