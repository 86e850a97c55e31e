"""Template filters of deliberation's pages."""
from decimal import Decimal

from django import template

from gongzhi.core.scrubbing import scrub

register = template.Library()


@register.filter
def scrubbed(text: str) -> str:
    """What a public page shows of a text staff or residents wrote: without phones, ID numbers, rooms, names."""
    return scrub(text or "")


@register.filter
def share(part, whole) -> str:
    """``part`` of ``whole`` as a percentage with one decimal (exact inputs, shown rounded), or "—"."""
    try:
        part, whole = Decimal(str(part)), Decimal(str(whole))
    except ArithmeticError:
        return "—"
    if not whole:
        return "—"
    return f"{(part * 100 / whole).quantize(Decimal('0.1'))}%"
