"""Appeal reads, starting from what the viewer may see."""
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.errors import InvalidInput
from gongzhi.registry.models import Area

from .choices import OPEN_STATES, State
from .models import Appeal, AppealEvent
from .permissions import acts_for_community, acts_for_party, appeals_visible_to


def appeal_list(*, viewer, area: Area | None = None, state: str = "", category: int | None = None,
                overdue: bool = False) -> QuerySet[Appeal]:
    qs = appeals_visible_to(viewer)
    if area is not None:
        qs = qs.filter(**{f"{area.kind}_id": area.pk})
    if state:
        if state == "open":
            qs = qs.filter(state__in=OPEN_STATES)
        elif state in State.values:
            qs = qs.filter(state=state)
        else:
            raise InvalidInput(_("未知的状态"), field="state")
    if category is not None:
        qs = qs.filter(Q(category_id=category) | Q(category__parent_id=category))
    if overdue:
        now = timezone.now()
        qs = qs.filter(Q(state=State.SUBMITTED, respond_due_at__lt=now)
                       | Q(state__in=OPEN_STATES - {State.SUBMITTED}, resolve_due_at__lt=now), paused_at__isnull=True)
    return qs.select_related("category__parent", "party", "area").order_by("-id")


def appeal_detail(*, viewer, pk) -> Appeal:
    from gongzhi.registry.permissions import get_visible

    return get_visible(appeals_visible_to(viewer).select_related("category__parent", "party", "area"), pk)


def appeal_timeline(*, viewer, appeal: Appeal) -> QuerySet[AppealEvent]:
    """The whole timeline for staff on the case; the public part for the resident who filed it."""
    events = appeal.events.select_related("actor", "party")
    if acts_for_community(viewer, appeal) or acts_for_party(viewer, appeal):
        return events
    return events.filter(public=True)

