"""Every write of the care app: patches, visits (with a follow-up opened as an appeal in the same step), the care
network's links, and a special family's request, filed as an appeal on the care ladder and handed up it by the
appeals sweep (``hand_up`` answers AppealsEscalated)."""
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.access.roles import Role
from gongzhi.access.scopes import Perm, scope_for
from gongzhi.accounts.models import RoleGrant, User
from gongzhi.appeals.choices import Channel, Priority
from gongzhi.appeals.events import AppealsEscalated
from gongzhi.appeals.models import Appeal, Category
from gongzhi.appeals.services import appeal_submit, appeals_hand_up
from gongzhi.core.errors import Conflict, InvalidInput, NotFound, NotPermitted
from gongzhi.core.text import SHORT, free_text
from gongzhi.registry.choices import OrgKind
from gongzhi.registry.models import Area, Household, Resident, ResidentSpecialFamily
from gongzhi.volunteers.models import PartyMember

from .chain import chain_of, holder_at
from .choices import LADDER, MAX_FAMILIES, MAX_MEMBERS, Finding, VisitKind
from .models import CentreHousehold, CentreMember, Pairing, Patch, Visit
from .permissions import building_scope, keeps, may_ask_for, may_visit

CARE_CATEGORY = "care-request"
MIN_NOTE = 5


# --- patches (包片) -------------------------------------------------------------------------------------------------
@transaction.atomic
def patch_assign(*, actor, user, area: Area) -> Patch:
    """The secretary gives a worker an area to keep: its households are hers to visit."""
    if area is None or not scope_for(actor, Perm.MANAGE_ROLES).covers(area):
        raise NotPermitted(_("您无权为该区域分配包片"))
    workers = RoleGrant.objects.filter(user=user, revoked_at__isnull=True)
    if not (workers.filter(role__in=(Role.COMMUNITY_WORKER, Role.COMMUNITY_SECRETARY), area_id=area.community_id).exists()
            or workers.filter(role=Role.GRID_WORKER, area__community_id=area.community_id).exists()):
        raise InvalidInput(_("只能把本社区的工作人员分到包片"), field="user")
    patch, _created = Patch.objects.get_or_create(user=user, area=area, ended_at=None,
                                                  defaults={"assigned_by": actor})
    return patch


@transaction.atomic
def patch_end(*, actor, patch: Patch) -> Patch:
    patch = Patch.objects.select_for_update().select_related("area").get(pk=patch.pk)
    if not scope_for(actor, Perm.MANAGE_ROLES).covers(patch.area):
        raise NotPermitted(_("您无权调整该包片"))
    if patch.ended_at is None:
        patch.ended_at = timezone.now()
        patch.save(update_fields=["ended_at", "updated_at"])
    return patch


# --- visits --------------------------------------------------------------------------------------------------------
@transaction.atomic
def visit_log(*, actor, household: Household, kind: str, finding: str, note: str = "", resident: Resident | None = None,
              follow_up: bool = False, at=None) -> Visit:
    """A visit, as the visitor records it on her phone; with ``follow_up`` what she found is opened as an appeal
    at once (staff: a patrol find, 未诉先办; a member or building head: a care request on the family's ladder)."""
    if household is None:
        raise NotFound(_("未找到该户"))
    if resident is not None and resident.household_id != household.pk:
        raise InvalidInput(_("该居民不在这一户"), field="resident")
    if not may_visit(actor, household, resident):
        raise NotFound(_("未找到该记录，或您无权查看"))
    if kind not in VisitKind.values:
        raise InvalidInput(_("请选择走访方式"), field="kind")
    if finding not in Finding.values:
        raise InvalidInput(_("请选择走访情况"), field="finding")
    note = free_text(note, field="note", limit=SHORT)
    now = timezone.now()
    at = at or now
    if at > now or (now - at).days > 7:
        raise InvalidInput(_("走访时间须在最近七天内"), field="at")
    appeal = None
    if follow_up:
        if len(note) < MIN_NOTE:
            raise InvalidInput(_("要转为诉求跟进，请写明发现了什么问题（至少%(n)d个字）") % {"n": MIN_NOTE}, field="note")
        if scope_for(actor, Perm.HANDLE_APPEALS).covers(household):
            appeal = appeal_submit(channel=Channel.PATROL, text=note, area=household.area, actor=actor,
                                   household=household, resident=resident)
        elif resident is not None and chain_of(resident.pk)["pairing"] is not None:
            appeal = care_request_file(actor=actor, resident=resident, text=note)
        elif building_scope(actor).covers(household):  # a building head reports it as the resident she is
            appeal = appeal_submit(channel=Channel.PORTAL, text=f"{household.address}：{note}", area=household.area,
                                   actor=actor)
        else:
            raise Conflict(_("这户还没有结对党员，请直接向社区反映"), code="not_paired")
    visit = Visit(household=household, resident=resident, visitor=actor, at=at, kind=kind, finding=finding, note=note,
                  appeal=appeal)
    visit.place_at(household)
    visit.save()
    return visit


# --- the network ---------------------------------------------------------------------------------------------------
def _require_keeps(actor, placed) -> None:
    if not keeps(actor, placed):
        raise NotPermitted(_("您无权管理该社区的关爱网络"))


@transaction.atomic
def centre_create(*, actor, keeper: PartyMember, household: Household) -> CentreHousehold:
    """Name a member's home a centre household (党员中心户) of his branch."""
    _require_keeps(actor, household)
    if keeper is None or keeper.branch.kind != OrgKind.PARTY_ORG:
        raise InvalidInput(_("请选择中心户的党员"), field="keeper")
    if keeper.community_id != household.community_id:
        raise InvalidInput(_("中心户须在党员报到或所在的社区"), field="household")
    if CentreHousehold.objects.filter(keeper=keeper, ended_at__isnull=True).exists():
        raise Conflict(_("该党员已是中心户"), code="already_centre")
    centre = CentreHousehold(branch=keeper.branch, keeper=keeper, household=household)
    centre.place_at(household)
    centre.save()
    return centre


@transaction.atomic
def centre_link(*, actor, centre: CentreHousehold, member: PartyMember) -> CentreMember:
    centre = CentreHousehold.objects.select_for_update().get(pk=centre.pk)  # ten at most, counted under the lock
    _require_keeps(actor, centre)
    if centre.ended_at is not None:
        raise Conflict(_("该中心户已撤销"), code="ended")
    if member.pk == centre.keeper_id:
        raise InvalidInput(_("中心户党员本人无需再联系自己"), field="member")
    if member.community_id != centre.community_id:
        raise InvalidInput(_("只能联系本社区报到的党员"), field="member")
    if CentreMember.objects.filter(member=member, ended_at__isnull=True).exists():
        raise Conflict(_("该党员已由另一个中心户联系"), code="linked")
    if CentreMember.objects.filter(centre=centre, ended_at__isnull=True).count() >= MAX_MEMBERS:
        raise Conflict(_("一个中心户最多联系%(n)d名党员") % {"n": MAX_MEMBERS}, code="full")
    return CentreMember.objects.create(centre=centre, member=member)


@transaction.atomic
def pair(*, actor, member: PartyMember, resident: Resident) -> Pairing:
    """结对帮扶: a member takes on a special family's resident (ten at most); her requests go to him first."""
    member = PartyMember.objects.select_for_update().get(pk=member.pk)
    _require_keeps(actor, resident)
    if not ResidentSpecialFamily.objects.filter(resident=resident).exists():
        raise InvalidInput(_("只能与登记为特殊家庭的居民结对"), field="resident")
    if member.community_id != resident.community_id:
        raise InvalidInput(_("只能与本社区的居民结对"), field="resident")
    if Pairing.objects.filter(resident=resident, ended_at__isnull=True).exists():
        raise Conflict(_("该居民已有结对党员"), code="paired")
    if Pairing.objects.filter(member=member, ended_at__isnull=True).count() >= MAX_FAMILIES:
        raise Conflict(_("一名党员最多结对%(n)d户") % {"n": MAX_FAMILIES}, code="full")
    return Pairing.objects.create(member=member, resident=resident, by=actor)


@transaction.atomic
def link_end(*, actor, link) -> object:
    """End a pairing, a centre's link to a member, or a centre household itself."""
    model = type(link)
    link = model.objects.select_for_update().get(pk=link.pk)
    placed = {Pairing: lambda x: x.resident, CentreMember: lambda x: x.centre, CentreHousehold: lambda x: x}[model](link)
    _require_keeps(actor, placed)
    if link.ended_at is None:
        link.ended_at = timezone.now()
        link.save(update_fields=["ended_at", "updated_at"])
        if model is CentreHousehold:  # its members are free to join another centre
            CentreMember.objects.filter(centre=link, ended_at__isnull=True).update(ended_at=link.ended_at)
    return link


# --- requests on the care ladder -----------------------------------------------------------------------------------
def intake_check(*, actor, area, household) -> None:
    """appeals.extensions.INTAKE["care"]: a care request is for a household someone may ask for."""
    if household is None:
        raise NotPermitted(_("关爱求助须写明是哪一户"))
    people = Resident.objects.filter(household=household, status="present")
    if not any(may_ask_for(actor, r) for r in people):
        raise NotPermitted(_("只能为本人、结对帮扶的家庭或您负责的楼栋求助"))


def care_request_file(*, actor, resident: Resident, text: str, idempotency_key: str = "") -> Appeal:
    """A special family's request: an appeal held by her paired member, climbing member → centre household →
    branch → community past each step's time limit (the appeals sweep, rungs of ladder "care")."""
    if not may_ask_for(actor, resident):
        raise NotFound(_("未找到该记录，或您无权查看"))
    chain = chain_of(resident.pk)
    if chain["pairing"] is None:
        raise Conflict(_("这户还没有结对党员，请直接向社区反映"), code="not_paired")
    category = Category.objects.filter(code=CARE_CATEGORY, is_active=True).first()
    holder_id = holder_at(chain, "member")
    holder = User.objects.filter(pk=holder_id).first() if holder_id else None
    return appeal_submit(channel=Channel.CARE, text=text, area=resident.household.area, actor=actor,
                         category=category, priority=Priority.URGENT, household=resident.household, resident=resident,
                         ladder=LADDER, holder=holder, idempotency_key=idempotency_key)


RUNG_LABELS = {"centre": _("超时未办，转党员中心户"), "branch": _("超时未办，转党支部"), "community": _("超时未办，转社区")}


def hand_up(event: AppealsEscalated) -> None:
    """AppealsEscalated on the care ladder: each appeal goes to whoever stands at the rung it reached (in the
    sweep's transaction)."""
    if event.ladder != LADDER:
        return
    residents = dict(Appeal.objects.filter(pk__in=event.appeal_ids).values_list("pk", "resident_id"))
    assignments = {pk: holder_at(chain_of(rid), event.target) for pk, rid in residents.items()}
    appeals_hand_up(assignments, reason=str(RUNG_LABELS.get(event.target, _("超时未办，上移一级"))))

