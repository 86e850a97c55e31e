from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render

from .errors import DomainError, NotFound, NotPermitted, TooMany


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


def run(request, call, done: str = ""):
    """A page's step: call ``call()`` (a service); on a domain error show its message and return None, else show
    ``done`` (if given) and return the result, or True when the call returns nothing."""
    try:
        result = call()
    except DomainError as e:
        messages.error(request, e.message)
        return None
    if done:
        messages.success(request, done)
    return result if result is not None else True
