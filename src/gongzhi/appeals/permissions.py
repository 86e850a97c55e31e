"""Who may see and act on an appeal. The community side by area (HANDLE_APPEALS); the handling party by
membership of the organisation the appeal is dispatched to; the resident by having reported it."""
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from gongzhi.accounts.scopes import Perm, active_grants, scope_for
from gongzhi.core.errors import NotPermitted
from gongzhi.registry.choices import OrgKind

from .models import Appeal

# bodies run by the community itself: its workers act for them (residents' committee, mutual-aid station,
# red steward); other parties act through their own staff accounts
COMMUNITY_BODIES = frozenset({OrgKind.RESIDENTS_COMMITTEE, OrgKind.MUTUAL_AID_STATION, OrgKind.RED_STEWARD,
                              OrgKind.ENV_PROPERTY_COMMITTEE, OrgKind.PARTY_ORG})


def member_organisation_ids(user) -> set[int]:
    return {g.organisation_id for g in active_grants(user) if g.organisation_id}


def appeals_visible_to(user) -> QuerySet[Appeal]:
    if not getattr(user, "is_authenticated", False):
        return Appeal.objects.none()
    scope = scope_for(user, Perm.HANDLE_APPEALS)
    if scope.everywhere:
        return Appeal.objects.all()
    condition = Q(reporter=user)
    if scope:
        condition |= scope.q()
    if orgs := member_organisation_ids(user):
        condition |= Q(party_id__in=orgs)
    return Appeal.objects.filter(condition)


def acts_for_community(user, appeal: Appeal) -> bool:
    return scope_for(user, Perm.HANDLE_APPEALS).covers(appeal)


def acts_for_party(user, appeal: Appeal) -> bool:
    """The dispatched party's own staff — or the community's workers when the party is a community body."""
    if appeal.party_id is None:
        return False
    if appeal.party_id in member_organisation_ids(user):
        return True
    return appeal.party.kind in COMMUNITY_BODIES and acts_for_community(user, appeal)


def may_see_contact(user, appeal: Appeal) -> bool:
    """The resident's name and phone on an appeal: for those handling it (to call back), the phone revealed on
    request and audited (appeals.views.appeal_contact)."""
    return acts_for_community(user, appeal) or acts_for_party(user, appeal)


def require_community(user, appeal: Appeal) -> None:
    if not acts_for_community(user, appeal):
        raise NotPermitted(_("只有社区（网格）工作人员可以执行此操作"))


def require_party(user, appeal: Appeal) -> None:
    if not acts_for_party(user, appeal):
        raise NotPermitted(_("只有承办单位可以执行此操作"))


def require_reporter(user, appeal: Appeal) -> None:
    if appeal.reporter_id is None or appeal.reporter_id != getattr(user, "pk", None):
        raise NotPermitted(_("只有提出诉求的居民本人可以执行此操作"))

