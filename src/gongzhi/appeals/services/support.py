"""我也遇到: residents back an appeal on their community's public board."""
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.services import verified_households
from gongzhi.core.errors import InvalidInput, NotFound, NotPermitted, TransitionNotAllowed

from ..board import on_board
from ..choices import OPEN_STATES
from ..models import Appeal, AppealSupport
from ..permissions import appeals_visible_to


def appeal_support(*, appeal: Appeal, actor, support: bool = True) -> int:
    """我也遇到: a resident living in the appeal's community backs an appeal on its public board (or takes it back).
    Once per person; pressing twice changes nothing. Returns how many back it now."""
    if not on_board(appeal):
        # off the board: to whoever cannot see it, it does not exist (403 told an id was a hidden appeal)
        if not appeals_visible_to(actor).filter(pk=appeal.pk).exists():
            raise NotFound(_("未找到该记录，或您无权查看"))
        raise NotPermitted(_("只能附议公示栏上的诉求"))
    if appeal.reporter_id is not None and appeal.reporter_id == getattr(actor, "pk", None):
        raise InvalidInput(_("这是您自己反映的问题"))
    if not verified_households(actor).filter(community_id=appeal.community_id).exists():
        raise NotPermitted(_("只有本社区认证居民可以附议"))
    if support:
        if appeal.state not in OPEN_STATES:
            raise TransitionNotAllowed(_("该诉求已办结，无需附议"))
        AppealSupport.objects.get_or_create(appeal=appeal, user=actor, defaults={"at": timezone.now()})
    else:
        AppealSupport.objects.filter(appeal=appeal, user=actor).delete()
    return AppealSupport.objects.filter(appeal=appeal).count()
