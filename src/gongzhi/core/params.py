"""Numbers read from a request, bounded before they reach a query (issue 21).

A row id or a page number past what a 64-bit integer column holds is nothing a user can mean: SQLite raised
OverflowError on such an id and PostgreSQL "bigint out of range" on such a page's offset, a server error on
every list. Pages read ids with ``id_param`` and the API declares them ``Id``; both refuse them with a clear
400/422 instead. ``str.isdigit`` is not a test for an id: it accepts ``²`` and full-width digits.
"""

from collections.abc import Iterable
from datetime import datetime
from typing import Annotated, Literal

from django.core.exceptions import BadRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

MAX_ID = 2**63 - 1  # the largest value of a BigAutoField
MAX_PAGE = 10**9  # far past any list's end, and (page - 1) × a page's size still fits an offset

Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def one_of(values: Iterable[str], *extra: str):
    """A string the API takes only as one of ``values`` (a ``TextChoices``' values) or ``extra``: the OpenAPI
    document lists them for clients, and anything else is refused (422, ``field`` naming it) before the view
    runs. The services still check, for the pages."""
    return Literal[(*values, *extra)]


def local_datetime(value) -> datetime | None:
    """A ``datetime-local`` field (2026-12-05T17:30) as an aware time in the user's zone (kept as it is when it names
    its own offset); None when blank or unreadable, for the caller to say what was expected."""
    try:
        parsed = datetime.fromisoformat(str(value or "").strip())
    except ValueError:
        return None
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


def id_param(value, *, name: str = "", refuse: bool = False) -> int | None:
    """A row id from a form or an address: None when blank, not a plain number or larger than any id (the form
    then says nothing was chosen, as for junk). With ``refuse`` (a list's filters), a number larger than any id
    is refused with a 400 page instead of quietly showing the unfiltered list."""
    value = (value or "").strip() if isinstance(value, str) else value
    if not value or not isinstance(value, str) or not value.isascii() or not value.isdigit():
        return None
    number = int(value)
    if number > MAX_ID:
        if not refuse:
            return None
        raise BadRequest(_("编号过大，请检查后重试") + (f"（{name}）" if name else ""))
    return number


class Pages(PageNumberPagination):
    """The API's pages: a page number past MAX_PAGE is refused (422) instead of overflowing the query's offset."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1)
