"""街乡吹哨、部门报到: the community calls in the subdistrict or a department, which reports in and names its handler."""
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.access.roles import Role
from gongzhi.accounts.selectors import staff_of
from gongzhi.core.errors import Conflict, InvalidInput, NotPermitted
from gongzhi.registry.choices import OrgKind
from gongzhi.registry.models import Organisation
from gongzhi.registry.validators import validate_phone

from .. import notify
from ..choices import Action, Priority
from ..models import Appeal, Whistle
from ..permissions import may_report_in, require_may
from ..worktime import Calendar, deadline
from .lifecycle import locked, transition


def called_staff(whistle: Whistle):
    """The grants of those a whistle calls: the department's staff, or the subdistrict's."""
    if whistle.department_id:
        return staff_of(organisations=[whistle.department_id])
    return staff_of(areas=[whistle.subdistrict_id], roles=[Role.SUBDISTRICT_STAFF])


@transaction.atomic
def appeal_whistle(*, appeal: Appeal, actor, reason: str, department: Organisation | None = None) -> Whistle:
    """Blow the whistle (街乡吹哨): call in the subdistrict, or a named department, to report in and act."""
    appeal = locked(appeal)
    require_may(actor, appeal, Action.WHISTLE)
    if not (reason or "").strip():
        raise InvalidInput(_("请写明为什么需要吹哨"), field="reason")
    if department is not None and (department.kind != OrgKind.DEPARTMENT or not department.is_active):
        raise InvalidInput(_("只能向职能部门吹哨"), field="department")
    now = timezone.now()
    target = {"department": department} if department else {"subdistrict_id": appeal.subdistrict_id}
    if Whistle.objects.filter(appeal=appeal, reported_at__isnull=True, **target).exists():
        raise Conflict(_("已向该单位吹哨，正在等待报到"), code="whistle_pending")
    whistle = Whistle.objects.create(
        appeal=appeal, blown_by=actor, blown_at=now, reason=reason.strip(), **target,
        report_due_at=deadline(now, settings.GONGZHI["REPORT_IN_HOURS"], on_the_clock=appeal.priority ==
                               Priority.URGENT, calendar=Calendar.load(timezone.localdate(now))),
    )
    transition(appeal, Action.WHISTLE, actor=actor, reason=whistle.reason, at=now,
               data={"whistle": whistle.pk, "department": department.pk if department else None,
                     "subdistrict": None if department else appeal.subdistrict_id})
    notify.whistle_blown(appeal, whistle, called_staff(whistle))
    return whistle


@transaction.atomic
def whistle_report_in(*, whistle: Whistle, actor, handler_name: str, handler_phone: str = "") -> Whistle:
    """部门报到: the department (or subdistrict) acknowledges and names who handles it. Who then holds the job is
    the community's call: it dispatches or transfers the appeal to the department, which takes it as usual."""
    whistle = Whistle.objects.select_for_update().get(pk=whistle.pk)
    appeal = locked(whistle.appeal)
    if not may_report_in(actor, whistle):
        raise NotPermitted(_("只有被吹哨的单位可以报到"))
    if whistle.reported_at is not None:
        raise Conflict(_("已经报到"), code="already_reported")
    handler_name = (handler_name or "").strip()
    if not handler_name:
        raise InvalidInput(_("请写明经办人"), field="handler_name")
    now = timezone.now()
    whistle.reported_at, whistle.reported_by = now, actor
    whistle.handler_name, whistle.handler_phone = handler_name[:50], validate_phone(handler_phone)
    whistle.save()
    late = now > whistle.report_due_at
    transition(appeal, Action.REPORT_IN, actor=actor, party=whistle.department, at=now,
               reason=_("经办人：%(name)s") % {"name": whistle.handler_name},
               data={"whistle": whistle.pk, "late": late})
    return whistle
