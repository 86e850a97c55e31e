"""Councils and their seats: set one up over an area from a seat template, seat and unseat representatives."""
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.errors import Conflict, InvalidInput, NotPermitted
from gongzhi.registry.choices import AreaKind
from gongzhi.registry.models import Area, Organisation, Resident

from ..models import Council, CouncilMember, SeatKind, SeatTemplate
from ..permissions import require_runs, runs
from .common import text

# how many residents (the proposer included) must back a proposal before it goes to the council, by level
COSIGN_DEFAULTS = {AreaKind.UNIT: 3, AreaKind.BUILDING: 5, AreaKind.GRID: 10, AreaKind.COMPOUND: 10,
                   AreaKind.COMMUNITY: 20, AreaKind.SUBDISTRICT: 50}
COUNCIL_LEVELS = tuple(COSIGN_DEFAULTS)


@transaction.atomic
def council_create(*, actor, area: Area, name: str, template: SeatTemplate, term_start: date | None = None,
                   term_end: date | None = None, cosign_threshold: int | None = None,
                   notice_days: int = 7) -> Council:
    if area.kind not in COUNCIL_LEVELS:
        raise InvalidInput(_("议事会设在街道、社区、网格、小区、楼栋或单元"), field="area")
    council = Council(area=area, name=text(name, field="name", label=_("名称"), least=2, most=80),
                      template=template, term_start=term_start or timezone.localdate(), term_end=term_end,
                      cosign_threshold=cosign_threshold or COSIGN_DEFAULTS[area.kind], notice_days=notice_days)
    council.place_at(area)
    if not runs(actor, council):
        raise NotPermitted(_("您不能在该区域设立议事会"))
    if council.cosign_threshold < 1 or not 1 <= notice_days <= 60:
        raise InvalidInput(_("联署人数至少1人，公示天数为1到60天"), field="notice_days")
    if council.term_end and council.term_end <= council.term_start:
        raise InvalidInput(_("届满日期应晚于起始日期"), field="term_end")
    try:
        with transaction.atomic():
            council.save()
    except IntegrityError:
        raise Conflict(_("该区域已有同名议事会"), field="name") from None
    return council


@transaction.atomic
def member_seat(*, actor, council: Council, seat: SeatKind, name: str = "", resident: Resident | None = None,
                organisation: Organisation | None = None, user=None, how: str = CouncilMember.How.APPOINTED,
                started_on: date | None = None) -> CouncilMember:
    """Seat a representative. Named by a resident of the council's area, or by name (a deputy, a lawyer, a
    company's delegate). Seats of the X kind are not standing: stakeholders are named per topic."""
    require_runs(actor, council)
    if seat.template_id != council.template_id:
        raise InvalidInput(_("该席位不属于本议事会的席位模板"), field="seat")
    if seat.per_topic:
        raise InvalidInput(_("“%(seat)s”按议题确定，请在议题中添加利益相关方") % {"seat": seat.name}, field="seat")
    if resident is not None:
        if resident.community_id != council.community_id and council.community_id is not None:
            raise InvalidInput(_("所选居民不在本议事会所在社区"), field="resident")
        name = name or resident.name
    name = text(name, field="name", label=_("姓名"), least=2, most=50)
    if seat.seats and council.members.filter(seat=seat, ended_on__isnull=True).count() >= seat.seats:
        raise Conflict(_("“%(seat)s”名额已满（%(n)d人），请先让一位代表离任") % {"seat": seat.name, "n": seat.seats},
                       field="seat")
    return CouncilMember.objects.create(council=council, seat=seat, name=name, resident=resident,
                                        organisation=organisation, user=user, how=how,
                                        started_on=started_on or timezone.localdate())


@transaction.atomic
def member_unseat(*, actor, member: CouncilMember, ended_on: date | None = None) -> CouncilMember:
    member = CouncilMember.objects.select_for_update().select_related("council").get(pk=member.pk)
    require_runs(actor, member.council)
    if member.ended_on is not None:
        raise Conflict(_("该代表已经离任"))
    member.ended_on = ended_on or timezone.localdate()
    member.save(update_fields=["ended_on", "updated_at"])
    return member
