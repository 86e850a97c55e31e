"""Party members in the community: each branch's roster (join dates, so the 50-year medal list makes itself), and
employed members reporting to the community where they live (在职党员回社区报到) and claiming its service posts."""
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.errors import Conflict, InvalidInput, NotFound, NotPermitted
from gongzhi.core.text import free_text
from gongzhi.registry.choices import AreaKind, OrgKind
from gongzhi.registry.models import Area, Organisation, Resident

from ..models import PartyMember, PostClaim, ServicePost
from ..permissions import staff_scope
from .points import account_of


def _joined(value) -> date:
    if not isinstance(value, date):
        raise InvalidInput(_("请填写入党日期"), field="joined_on")
    if value > timezone.localdate() or value.year < 1921:
        raise InvalidInput(_("入党日期不正确"), field="joined_on")
    return value


def _branch(branch: Organisation | None) -> Organisation:
    if branch is None or branch.kind != OrgKind.PARTY_ORG or not branch.is_active or branch.home_area_id is None:
        raise InvalidInput(_("请选择党支部"), field="branch")
    return branch


def branch_of(community: Area) -> Organisation | None:
    """The community's own party organisation, where members who report in are kept."""
    return (Organisation.objects.filter(kind=OrgKind.PARTY_ORG, is_active=True, home_area=community)
            .order_by("parent_id", "id").first())


@transaction.atomic
def party_member_add(*, actor, branch: Organisation, name: str, joined_on, resident: Resident | None = None,
                     employer: str = "") -> PartyMember:
    """Staff keep a branch's roster."""
    branch = _branch(branch)
    if not staff_scope(actor).covers(branch.home_area):
        raise NotPermitted(_("您无权管理该党支部的党员名册"))
    if resident is not None and resident.community_id != branch.home_area.community_id:
        raise InvalidInput(_("该居民不在本支部所在社区"), field="resident")
    member = PartyMember(branch=branch, resident=resident, joined_on=_joined(joined_on),
                         name=free_text(name, field="name", limit=50, required=_("请填写姓名")),
                         employer=free_text(employer, field="employer", limit=100))
    member.place_at(branch.home_area)
    member.save()
    return member


@transaction.atomic
def party_member_report(*, actor, community: Area, name: str, joined_on, employer: str) -> PartyMember:
    """An employed party member reports to the community where she lives: she is kept on its branch's roster, her
    party points account opens, and its service posts are hers to claim."""
    if community is None or community.kind != AreaKind.COMMUNITY:
        raise InvalidInput(_("请选择报到的社区"), field="community")
    branch = branch_of(community)
    if branch is None:
        raise Conflict(_("该社区还没有登记党组织，请联系社区"), code="no_branch")
    employer = free_text(employer, field="employer", limit=100, required=_("请填写工作单位"))
    member = PartyMember.objects.select_for_update().filter(user=actor).first()
    if member is not None and member.reported_to_id is not None:
        raise Conflict(_("您已向%(c)s报到") % {"c": member.reported_to.name}, code="already_reported")
    if member is None:
        member = PartyMember(user=actor, branch=branch)
    member.name = free_text(name, field="name", limit=50, required=_("请填写姓名"))
    member.joined_on, member.employer = _joined(joined_on), employer
    member.reported_to, member.reported_at = community, timezone.now()
    member.place_at(community)
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError:
        raise Conflict(_("您已报到"), code="already_reported") from None
    account_of(member)
    actor.__dict__.pop("_gz_party_member", None)
    return member


@transaction.atomic
def post_create(*, actor, area: Area, title: str, description: str = "", slots=5) -> ServicePost:
    if area is None or area.kind != AreaKind.COMMUNITY or not staff_scope(actor).covers(area):
        raise NotPermitted(_("您无权为该社区设岗"))
    try:
        slots = int(slots)
    except (TypeError, ValueError):
        slots = 0
    if not 1 <= slots <= 500:
        raise InvalidInput(_("名额须在1到500之间"), field="slots")
    post = ServicePost(area=area, slots=slots, title=free_text(title, field="title", limit=60, required=_("请填写岗位")),
                       description=free_text(description, field="description", limit=300))
    post.place_at(area)
    post.save()
    return post


def member_of(user) -> PartyMember | None:
    if not getattr(user, "is_authenticated", False):
        return None
    cached = user.__dict__.get("_gz_party_member", False)
    if cached is False:
        cached = PartyMember.objects.filter(user=user).select_related("reported_to", "branch").first()
        user.__dict__["_gz_party_member"] = cached
    return cached


@transaction.atomic
def post_claim(*, actor, post: ServicePost) -> PostClaim:
    member = member_of(actor)
    if member is None or member.community_id is None:
        raise NotPermitted(_("请先向居住地社区报到"), code="not_reported")
    post = ServicePost.objects.select_for_update().get(pk=post.pk)
    if post.community_id != member.community_id:
        raise NotFound(_("未找到该记录，或您无权查看"))
    if not post.is_active:
        raise Conflict(_("该岗位已停止认领"), code="closed")
    if PostClaim.objects.filter(post=post, member=member, ended_at__isnull=True).exists():
        raise Conflict(_("您已认领该岗位"), code="already_claimed")
    if PostClaim.objects.filter(post=post, ended_at__isnull=True).count() >= post.slots:
        raise Conflict(_("该岗位名额已满"), code="full")
    return PostClaim.objects.create(post=post, member=member, claimed_at=timezone.now())


@transaction.atomic
def post_leave(*, actor, claim: PostClaim) -> PostClaim:
    claim = PostClaim.objects.select_for_update().select_related("member", "post").get(pk=claim.pk)
    if claim.member.user_id != actor.pk and not staff_scope(actor).covers(claim.post):
        raise NotFound(_("未找到该记录，或您无权查看"))
    if claim.ended_at is None:
        claim.ended_at = timezone.now()
        claim.save(update_fields=["ended_at", "updated_at"])
    return claim
