"""Volunteers join, are approved by their community, join teams, and are lent to other places for a while."""
from datetime import date

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.errors import Conflict, InvalidInput, NotPermitted
from gongzhi.core.text import free_text
from gongzhi.notifications.services import Message, notify_many
from gongzhi.registry.choices import AreaKind, OrgKind
from gongzhi.registry.models import Area, Organisation
from gongzhi.registry.validators import validate_phone

from ..choices import SignupState, Skill, VolunteerState
from ..models import Loan, PointsAccount, Signup, TeamMember, Volunteer
from ..permissions import staff_scope, volunteer_of
from .points import account_of

MAX_LOAN_DAYS = 366


def _skills(values) -> list[str]:
    chosen = [str(v) for v in (values or [])]
    unknown = [v for v in chosen if v not in Skill.values]
    if unknown:
        raise InvalidInput(_("不认识的技能：%(s)s") % {"s": "、".join(unknown[:3])}, field="skills")
    return sorted(set(chosen), key=Skill.values.index)


def _profile(*, name, phone, skills, availability, home: Area, areas) -> dict:
    if home is None or home.kind != AreaKind.COMMUNITY:
        raise InvalidInput(_("请选择登记的社区"), field="home")
    areas = list(areas or [])
    if any(a.community_id != home.pk for a in areas):
        raise InvalidInput(_("愿意服务的区域须在登记的社区内"), field="areas")
    return {"name": free_text(name, field="name", limit=50, required=_("请填写姓名")),
            "phone": validate_phone(phone), "skills": _skills(skills),
            "availability": free_text(availability, field="availability", limit=200)}, areas


@transaction.atomic
def volunteer_register(*, actor, home: Area, name: str, phone: str = "", skills=(), availability: str = "",
                       areas=()) -> Volunteer:
    """A resident signs up as a volunteer of a community; its staff approve her (her shifts open then)."""
    earlier = volunteer_of(actor)
    if earlier is not None and earlier.state != VolunteerState.LEFT:
        raise Conflict(_("您已登记为志愿者"), code="already_registered")
    fields, areas = _profile(name=name, phone=phone or actor.phone or "", skills=skills, availability=availability,
                             home=home, areas=areas)
    volunteer = earlier or Volunteer(user=actor)  # one who left (or was turned down) registers again, afresh
    volunteer.home, volunteer.state, volunteer.decided_by, volunteer.decided_at = home, VolunteerState.PENDING, None, None
    for key, value in fields.items():
        setattr(volunteer, key, value)
    volunteer.place_at(home)
    try:
        with transaction.atomic():
            volunteer.save()
    except IntegrityError:
        raise Conflict(_("您已登记为志愿者"), code="already_registered") from None
    volunteer.areas.set(areas)
    actor.__dict__.pop("_gz_volunteer", None)
    return volunteer


@transaction.atomic
def volunteer_enrol(*, actor, home: Area, name: str, phone: str = "", skills=(), availability: str = "",
                    areas=(), resident=None) -> Volunteer:
    """Staff register a volunteer themselves (an older resident without a phone): active at once, no account."""
    if not staff_scope(actor).covers(home):
        raise NotPermitted(_("您无权在该社区登记志愿者"))
    fields, areas = _profile(name=name, phone=phone, skills=skills, availability=availability, home=home, areas=areas)
    if resident is not None and resident.community_id != home.pk:
        raise InvalidInput(_("该居民不在这个社区"), field="resident")
    volunteer = Volunteer(home=home, resident=resident, state=VolunteerState.ACTIVE, decided_by=actor,
                          decided_at=timezone.now(), **fields)
    volunteer.place_at(home)
    volunteer.save()
    volunteer.areas.set(areas)
    account_of(volunteer)
    return volunteer


DECISIONS = {
    "approve": ({VolunteerState.PENDING, VolunteerState.SUSPENDED}, VolunteerState.ACTIVE),
    "reject": ({VolunteerState.PENDING}, VolunteerState.LEFT),
    "suspend": ({VolunteerState.ACTIVE}, VolunteerState.SUSPENDED),
    "leave": ({VolunteerState.ACTIVE, VolunteerState.SUSPENDED, VolunteerState.PENDING}, VolunteerState.LEFT),
}


@transaction.atomic
def volunteer_decide(*, actor, volunteer: Volunteer, decision: str, note: str = "") -> Volunteer:
    """Staff approve, reject or suspend a volunteer; she herself may leave."""
    volunteer = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    own = volunteer.user_id is not None and volunteer.user_id == actor.pk
    if decision not in DECISIONS:
        raise InvalidInput(_("未知的操作"))
    if not (staff_scope(actor).covers(volunteer) or (own and decision == "leave")):
        raise NotPermitted(_("您无权审核该志愿者"))
    allowed, target = DECISIONS[decision]
    if volunteer.state not in allowed:
        raise Conflict(_("志愿者当前为「%(s)s」，不能这样操作") % {"s": volunteer.get_state_display()},
                       code="transition_not_allowed")
    note = free_text(note, field="note", limit=200)
    if decision == "reject" and not note:
        raise InvalidInput(_("请写明不通过的原因"), field="note")
    volunteer.state, volunteer.decided_by, volunteer.decided_at = target, actor, timezone.now()
    volunteer.note = note or volunteer.note
    volunteer.save()
    if target == VolunteerState.ACTIVE:  # her shop is her community's, wherever she registered before
        PointsAccount.objects.filter(volunteer=volunteer).update(community_id=volunteer.community_id)
        account_of(volunteer)
    if target == VolunteerState.LEFT:
        TeamMember.objects.filter(volunteer=volunteer, left_on__isnull=True).update(left_on=timezone.localdate())
    if target in (VolunteerState.LEFT, VolunteerState.SUSPENDED):  # her places go back to the others
        Signup.objects.filter(volunteer=volunteer, state=SignupState.BOOKED, shift__starts_at__gt=timezone.now()) \
            .update(state=SignupState.CANCELLED, note=_("志愿者暂停或退出"))
    if volunteer.user_id and not own:
        titles = {"approve": _("您的志愿者登记已通过"), "reject": _("您的志愿者登记未通过"),
                  "suspend": _("您的志愿服务已暂停")}
        notify_many([Message(user_id=volunteer.user_id, key=f"volunteer:{volunteer.pk}:{decision}",
                             title=titles[decision], body=note, link=reverse("portal:volunteer_home"))])
    return volunteer


def _team(team: Organisation) -> Organisation:
    if team.kind != OrgKind.VOLUNTEER_TEAM or not team.is_active:
        raise InvalidInput(_("请选择志愿服务队"), field="team")
    return team


@transaction.atomic
def team_join(*, actor, team: Organisation, volunteer: Volunteer, leader: bool = False) -> TeamMember:
    """Staff put an active volunteer in a team, as a member or its leader."""
    team = _team(team)
    volunteer = Volunteer.objects.get(pk=volunteer.pk)  # her state as it stands, not as the caller read it
    if not staff_scope(actor).covers(volunteer):
        raise NotPermitted(_("您无权管理该志愿者"))
    if volunteer.state != VolunteerState.ACTIVE:
        raise Conflict(_("只有在册志愿者可以加入队伍"), code="not_active")
    member = TeamMember.objects.select_for_update().filter(team=team, volunteer=volunteer,
                                                           left_on__isnull=True).first()
    if member is None:
        return TeamMember.objects.create(team=team, volunteer=volunteer, is_leader=leader,
                                         joined_on=timezone.localdate())
    member.is_leader = leader
    member.save(update_fields=["is_leader", "updated_at"])
    return member


@transaction.atomic
def team_leave(*, actor, member: TeamMember) -> TeamMember:
    member = TeamMember.objects.select_for_update().select_related("volunteer").get(pk=member.pk)
    if not staff_scope(actor).covers(member.volunteer):
        raise NotPermitted(_("您无权管理该志愿者"))
    if member.left_on is None:
        member.left_on = timezone.localdate()
        member.save(update_fields=["left_on", "updated_at"])
    return member


@transaction.atomic
def loan_create(*, actor, volunteer: Volunteer, area: Area, starts_on: date | None, ends_on: date | None,
                reason: str = "") -> Loan:
    """Lend a volunteer to another compound or community for a period (her community's staff decide)."""
    volunteer = Volunteer.objects.get(pk=volunteer.pk)
    if not staff_scope(actor).covers(volunteer):
        raise NotPermitted(_("您无权借调该志愿者"))
    if volunteer.state != VolunteerState.ACTIVE:
        raise Conflict(_("只有在册志愿者可以借调"), code="not_active")
    if area is None or area.kind not in (AreaKind.COMMUNITY, AreaKind.COMPOUND, AreaKind.GRID):
        raise InvalidInput(_("请选择支援的社区或小区"), field="area")
    if area.pk == volunteer.community_id or area.community_id == volunteer.community_id and area.kind != "community":
        raise InvalidInput(_("该志愿者本来就能报名本社区的值守，无需借调"), field="area")
    if starts_on is None or ends_on is None or ends_on < starts_on:
        raise InvalidInput(_("请填写借调的起止日期"), field="ends_on")
    if ends_on < timezone.localdate() or (ends_on - starts_on).days > MAX_LOAN_DAYS:
        raise InvalidInput(_("借调结束日期不能早于今天，且不超过一年"), field="ends_on")
    return Loan.objects.create(volunteer=volunteer, area=area, starts_on=starts_on, ends_on=ends_on, by=actor,
                               reason=free_text(reason, field="reason", limit=200))


@transaction.atomic
def loan_end(*, actor, loan: Loan) -> Loan:
    loan = Loan.objects.select_for_update().select_related("volunteer").get(pk=loan.pk)
    if not staff_scope(actor).covers(loan.volunteer):
        raise NotPermitted(_("您无权管理该借调"))
    if loan.ended_early_on is None:
        loan.ended_early_on = timezone.localdate()
        loan.save(update_fields=["ended_early_on", "updated_at"])
    return loan
