"""How often one address may do a costly or guessable thing (look up an appeal by four digits, get an SMS code),
counted in the cache: per process on a laptop, shared through Redis in a city."""
from django.core.cache import cache


def too_often(request, what: str, *, limit: int, seconds: int) -> bool:
    """Count this request's ``what`` from its address; True once there were more than ``limit`` in ``seconds``."""
    key = f"throttle:{what}:{request.META.get('REMOTE_ADDR', '')}"
    cache.add(key, 0, seconds)
    try:
        return cache.incr(key) > limit
    except ValueError:  # expired between add and incr: this one is the first of a new window
        cache.add(key, 1, seconds)
        return False
