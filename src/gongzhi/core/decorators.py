from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render

from .errors import NotFound, NotPermitted, TooMany


def domain_errors_as_http(view):
    """NotFound → 404, NotPermitted → 403 and TooMany → 429 pages for views that let those escape."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotFound as e:
            raise Http404(e.message) from None
        except NotPermitted as e:
            raise PermissionDenied(e.message) from None
        except TooMany as e:
            return render(request, "429.html", {"reason": e.message}, status=429)

    return wrapper
