"""街乡吹哨、部门报到 and the co-handling (协办) that follows: the community calls in the subdistrict or a department,
which reports in naming its handler, acts by its own deadline and says what it did; the community confirms it,
rating the called body, or sends it back to be done again. Each step is on the appeal's internal timeline."""
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.access.roles import Role
from gongzhi.accounts.selectors import staff_of
from gongzhi.core.errors import Conflict, InvalidInput, NotFound, NotPermitted
from gongzhi.core.text import LONG, SHORT, free_text
from gongzhi.registry.choices import OrgKind
from gongzhi.registry.models import Organisation
from gongzhi.registry.validators import validate_phone

from .. import notify
from ..choices import Action, Priority, Rating
from ..models import Appeal, Whistle
from ..permissions import acts_for_community, appeals_visible_to, may_report_in, require_may
from ..worktime import Calendar, deadline
from .lifecycle import locked, transition

MIN_FEEDBACK = 5  # characters: "已处理" says nothing about what was done


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
    reason = free_text(reason, field="reason", limit=SHORT, required=_("请写明为什么需要吹哨"))
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
    # internal: the reason is the community's note to the called body, not the resident's reading
    transition(appeal, Action.WHISTLE, actor=actor, party=department, at=now, public=False,
               reason=_("向%(who)s吹哨：%(why)s") % {"who": whistle.called.name, "why": whistle.reason},
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
        if not appeals_visible_to(actor).filter(pk=whistle.appeal_id).exists():
            raise NotFound(_("未找到该记录，或您无权查看"))  # as for an id nobody uses
        raise NotPermitted(_("只有被吹哨的单位可以报到"))
    if whistle.reported_at is not None:
        raise Conflict(_("已经报到"), code="already_reported")
    handler_name = free_text(handler_name, field="handler_name", limit=Whistle._meta.get_field("handler_name").max_length,
                             required=_("请写明经办人"))
    now = timezone.now()
    whistle.reported_at, whistle.reported_by = now, actor
    whistle.handler_name, whistle.handler_phone = handler_name, validate_phone(handler_phone)
    whistle.handle_due_at = _due(appeal, now, settings.GONGZHI["COHANDLE_HOURS"])
    whistle.save()
    late = now > whistle.report_due_at
    transition(appeal, Action.REPORT_IN, actor=actor, party=whistle.department, at=now, public=False,
               reason=_("%(who)s报到，经办人：%(name)s") % {"who": whistle.called.name, "name": whistle.handler_name},
               data={"whistle": whistle.pk, "late": late})
    return whistle


def _due(appeal: Appeal, now, hours):
    return deadline(now, hours, on_the_clock=appeal.priority == Priority.URGENT,
                    calendar=Calendar.load(timezone.localdate(now)))


def _locked_whistle(whistle: Whistle) -> tuple[Whistle, Appeal]:
    whistle = (Whistle.objects.select_for_update(of=("self",)).select_related("department", "subdistrict")
               .get(pk=whistle.pk))
    return whistle, locked(whistle.appeal)


@transaction.atomic
def whistle_feedback(*, whistle: Whistle, actor, text: str) -> Whistle:
    """协办反馈: the called body says what it did. The community then confirms it or sends it back."""
    whistle, appeal = _locked_whistle(whistle)
    if not may_report_in(actor, whistle):
        raise NotPermitted(_("只有被吹哨的单位可以反馈协办情况"))
    if whistle.reported_at is None:
        raise Conflict(_("请先报到，再反馈协办情况"), code="not_reported")
    if whistle.confirmed_at is not None:
        raise Conflict(_("社区已确认协办结果"), code="already_confirmed")
    if whistle.fed_back_at is not None:
        raise Conflict(_("已反馈，正在等待社区确认"), code="already_fed_back")
    text = free_text(text, field="feedback", limit=LONG)
    if len(text) < MIN_FEEDBACK:
        raise InvalidInput(_("请写明做了什么、结果如何（至少%(n)s个字）") % {"n": MIN_FEEDBACK}, field="feedback")
    now = timezone.now()
    whistle.feedback, whistle.fed_back_at, whistle.fed_back_by = text, now, actor
    whistle.save()
    late = whistle.handle_due_at is not None and now > whistle.handle_due_at
    event = transition(appeal, Action.COHANDLE_FEEDBACK, actor=actor, party=whistle.department, at=now,
                       public=False, reason=_("%(who)s：%(what)s") % {"who": whistle.called.name, "what": text},
                       data={"whistle": whistle.pk, "late": late})
    notify.tell_community(appeal, event, _("诉求 %(n)s 的协办单位已反馈，请确认"), f"{whistle.called.name}：{text}")
    return whistle


@transaction.atomic
def whistle_confirm(*, whistle: Whistle, actor, rating: str, comment: str = "") -> Whistle:
    """确认协办: the community accepts what the called body did and rates it (counted in its figures)."""
    whistle, appeal = _locked_whistle(whistle)
    if not acts_for_community(actor, appeal):
        raise NotPermitted(_("只有吹哨的社区可以确认协办结果"))
    if whistle.fed_back_at is None or whistle.confirmed_at is not None:
        raise Conflict(_("该单位还没有反馈协办情况") if whistle.confirmed_at is None else _("已确认"),
                       code="nothing_to_confirm")
    if rating not in Rating.values:
        raise InvalidInput(_("请评价协办单位"), field="rating")
    comment = free_text(comment, field="comment", limit=SHORT)
    if rating == Rating.DISSATISFIED and not comment:
        raise InvalidInput(_("不满意时请写明原因"), field="comment")
    now = timezone.now()
    whistle.confirmed_at, whistle.confirmed_by = now, actor
    whistle.rating, whistle.rating_comment = rating, comment
    whistle.save()
    transition(appeal, Action.COHANDLE_CONFIRM, actor=actor, party=whistle.department, at=now, public=False,
               reason=" ".join(filter(None, [f"{whistle.called.name}：{Rating(rating).label}", comment])),
               data={"whistle": whistle.pk, "rating": rating})
    return whistle


@transaction.atomic
def whistle_send_back(*, whistle: Whistle, actor, reason: str) -> Whistle:
    """退回协办: what the called body did does not settle it; it acts again, by a new deadline."""
    whistle, appeal = _locked_whistle(whistle)
    if not acts_for_community(actor, appeal):
        raise NotPermitted(_("只有吹哨的社区可以退回协办"))
    if whistle.fed_back_at is None or whistle.confirmed_at is not None:
        raise Conflict(_("该单位还没有反馈协办情况"), code="nothing_to_send_back")
    reason = free_text(reason, field="reason", limit=SHORT, required=_("请写明退回的原因"))
    now = timezone.now()
    whistle.fed_back_at = whistle.fed_back_by = None
    whistle.sent_back += 1
    whistle.handle_due_at = _due(appeal, now, settings.GONGZHI["COHANDLE_HOURS"])
    whistle.save()
    transition(appeal, Action.COHANDLE_SEND_BACK, actor=actor, party=whistle.department, at=now, public=False,
               reason=_("退回%(who)s：%(why)s") % {"who": whistle.called.name, "why": reason},
               data={"whistle": whistle.pk})
    notify.whistle_sent_back(appeal, whistle, called_staff(whistle), reason)
    return whistle
