"""What the volunteers' pages share: run a service and say how it went."""
from django.contrib import messages

from gongzhi.core.errors import DomainError


def run(request, call, done: str = ""):
    """Call ``call()``; on a domain error show its message and return None, else show ``done`` and return the
    result (or True)."""
    try:
        result = call()
    except DomainError as e:
        messages.error(request, e.message)
        return None
    if done:
        messages.success(request, done)
    return result if result is not None else True
