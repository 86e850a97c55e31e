"""Free text people type into forms and API bodies: one reading (stripped) and one cap with a clear message.

Without a cap, a 100 KB reply went into the timeline and out as an SMS body (issue 21). The caps sit in the
services, so pages and API refuse the same text with the same words, before anything is written.
"""

from django.utils.translation import gettext as _

from .errors import InvalidInput

SHORT = 500  # a reason, a note, a comment: a few sentences
LONG = 2000  # a reply to the resident, a co-handling body's account of what it did


def free_text(value, *, field: str, limit: int, required=None) -> str:
    """``value`` stripped; InvalidInput at ``field`` when longer than ``limit`` characters, or when empty if a
    ``required`` message is given."""
    text = str(value or "").strip()
    if required is not None and not text:
        raise InvalidInput(required, field=field)
    if len(text) > limit:
        raise InvalidInput(_("最多可写%(n)d个字，现有%(m)d个字，请精简后重试") % {"n": limit, "m": len(text)},
                           code="too_long", field=field)
    return text
