"""How often one address may do a costly or guessable thing (look up an appeal by four digits, get an SMS code),
counted in the cache: per process on a laptop, shared through Redis in a city."""
from django.core.cache import cache


def too_often(request, what: str, *, limit: int, seconds: int) -> bool:
    """Count this request's ``what`` from its address; True once there were more than ``limit`` in ``seconds``."""
    return _counted(f"throttle:{what}:{request.META.get('REMOTE_ADDR', '')}", limit=limit, seconds=seconds)


def too_often_for(user, what: str, *, limit: int, seconds: int) -> bool:
    """The same, counted per account (a signed-in staff member, wherever she asks from)."""
    return _counted(f"throttle:{what}:user:{getattr(user, 'pk', '')}", limit=limit, seconds=seconds)


def _counted(key: str, *, limit: int, seconds: int) -> bool:
    cache.add(key, 0, seconds)
    try:
        return cache.incr(key) > limit
    except ValueError:  # expired between add and incr: this one is the first of a new window
        cache.add(key, 1, seconds)
        return False
