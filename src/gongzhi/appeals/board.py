"""The public board (看得见、找得到、叫得应): a community's opted-in appeals and their replies, for anyone to read,
with personal data removed (``core.scrubbing``: names, phone numbers, ID numbers, room numbers, plates, e-mail)."""
from datetime import timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from gongzhi.core import scrubbing

from .choices import OPEN_STATES
from .models import Appeal

SEARCH_CANDIDATES = 500


def on_board(appeal: Appeal) -> bool:
    """Whether the public may read it: its reporter opted in, it is not a merged duplicate, and the community has
    accepted it (受理). Until then nobody has checked what it says, so one waiting (待受理), or closed without ever
    being accepted (refused, withdrawn, a duplicate), is never published."""
    return appeal.public and appeal.parent_id is None and appeal.accepted_at is not None


def board_appeals(community_id: int) -> QuerySet[Appeal]:
    """Opted-in appeals of a community the community has accepted, newest first (``on_board``, as a query);
    merged duplicates appear through their group."""
    return (Appeal.objects.filter(community_id=community_id, public=True, parent__isnull=True,
                                  accepted_at__isnull=False)
            .select_related("category__parent", "compound", "resident", "reporter")
            .only("id", "number", "state", "text", "reply", "created_at", "resolved_at", "rating", "contact_name",
                  "category__name", "category__parent_id", "category__parent__name", "compound__name", "resident__name",
                  "reporter__display_name", "community_id")
            .annotate(support_count=Count("supports"))
            .order_by("-id"))


def board_entry(appeal: Appeal) -> dict:
    names = [appeal.contact_name, getattr(appeal.resident, "name", ""), getattr(appeal.reporter, "display_name", "")]
    return {"id": appeal.pk, "supports": getattr(appeal, "support_count", 0), "open": appeal.state in OPEN_STATES,
            "number": appeal.number, "created_at": appeal.created_at, "resolved_at": appeal.resolved_at,
            "state": appeal.get_state_display(), "state_code": appeal.state,
            "category": str(appeal.category) if appeal.category_id else "",
            "place": appeal.compound.name if appeal.compound_id else "",
            "text": scrubbing.scrub(appeal.text, names), "reply": scrubbing.scrub(appeal.reply, names)}


def board_search(community_id: int, q: str) -> list[dict]:
    """The board's entries whose published words contain ``q``: the text and reply as scrubbed, never as stored, so
    a phone number, a name or a room searched for finds nothing even where the stored text has it. The database
    narrows to the newest appeals containing the words (or a mask's neighbours), the scrub decides."""
    q = " ".join(q.split())
    if not q:
        return []
    words = [w for w in q.replace("某", " ").replace("×", " ").replace("*", " ").split() if w]
    candidates = board_appeals(community_id)
    for word in words:
        candidates = candidates.filter(Q(text__contains=word) | Q(reply__contains=word))
    entries = (board_entry(a) for a in candidates[:SEARCH_CANDIDATES])
    return [e for e in entries if q in e["text"] or q in e["reply"]]


def similar_open(*, viewer, area, category_id: int | None = None, limit: int = 5) -> list[dict]:
    """已有邻居反映: open appeals on the board about the same compound (or community) in the last 30 days, not hers,
    the same category first, as the board shows them (names and numbers scrubbed). A resident filing sees them
    before she files and can say 我也遇到 instead."""
    place = {"compound_id": area.compound_id} if area.compound_id else {"community_id": area.community_id}
    qs = (board_appeals(area.community_id).filter(state__in=OPEN_STATES, created_at__gte=timezone.now()
                                                  - timedelta(days=30), **place)
          .exclude(reporter=viewer))
    rows = list(qs[:50])
    if category_id:
        rows.sort(key=lambda a: (a.category_id != category_id and a.category.parent_id != category_id
                                 if a.category_id else True, -a.pk))
    return [{**board_entry(a), "community": a.community_id} for a in rows[:limit]]
