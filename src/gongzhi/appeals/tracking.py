"""Following an appeal without an account: by its number and the last four digits of the phone on it, or from the
link in the SMS a caller or walk-in gets with the reply. The link is signed (it names the appeal and which reply
it rates), so it is good for that reply only, and for 90 days; nothing about it is stored."""
from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "gongzhi.appeals.track"
MAX_AGE = 90 * 24 * 3600


def tracking_token(appeal, round_: int | None = None) -> str:
    """``round_``: which reply the link rates (a merged reporter's is her group's); the appeal's own by default."""
    return signing.dumps({"a": appeal.pk, "r": appeal.reopen_count if round_ is None else round_}, salt=SALT,
                         compress=True)


def read_token(token: str) -> tuple[int, int] | None:
    """(appeal id, reply round) from a token, or None when forged, garbled or expired."""
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
        return int(data["a"]), int(data["r"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def tracking_url(appeal, round_: int | None = None) -> str:
    """The absolute link for an SMS (PUBLIC_URL is where residents reach the site)."""
    return settings.GONGZHI["PUBLIC_URL"].rstrip("/") + reverse("track_link", args=[tracking_token(appeal, round_)])
