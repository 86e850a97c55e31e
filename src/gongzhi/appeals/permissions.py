"""Who may see and act on an appeal. The community side by area (HANDLE_APPEALS); the handling party by
holding a WORK_APPEALS role in the organisation the appeal is dispatched to; the resident by having reported it.

``may(user, appeal, action)`` is the role × action rule: the services refuse what it refuses, and the pages and
the API offer what ``actions_for`` returns, so neither can differ from the other."""
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from gongzhi.access.roles import Role
from gongzhi.access.scopes import Perm, active_grants, organisations_for, scope_for
from gongzhi.core.errors import Conflict, NotPermitted
from gongzhi.registry.choices import AreaKind, OrgKind
from gongzhi.registry.models import Area

from .choices import Action, State
from .models import Appeal, Whistle
from .transitions import allows

# bodies run by the community itself: its workers act for them (residents' committee, mutual-aid station,
# red steward); other parties act through their own staff accounts
COMMUNITY_BODIES = frozenset({OrgKind.RESIDENTS_COMMITTEE, OrgKind.MUTUAL_AID_STATION, OrgKind.RED_STEWARD,
                              OrgKind.ENV_PROPERTY_COMMITTEE, OrgKind.PARTY_ORG})


def member_organisation_ids(user) -> frozenset[int]:
    """The organisations whose dispatched appeals the user works (a role there carrying WORK_APPEALS)."""
    return organisations_for(user, Perm.WORK_APPEALS)


def shared_compounds(user) -> frozenset[int]:
    """Compounds with a building in one of the user's grids (as a grid worker). A grid is drawn over buildings,
    so an appeal about a compound as a whole — its roads, greens, bike sheds — has no grid of its own: it is the
    work of every grid worker whose grid covers part of the compound (docs/appeals.md). Cached per request."""
    cached = user.__dict__.get("_gz_shared_compounds")
    if cached is None:
        grids = [g.area_id for g in active_grants(user) if g.role == Role.GRID_WORKER and g.area_id]
        cached = frozenset(Area.objects.filter(kind=AreaKind.BUILDING, grid_id__in=grids)
                           .values_list("compound_id", flat=True).distinct()) - {None} if grids else frozenset()
        user.__dict__["_gz_shared_compounds"] = cached
    return cached


def _compound_wide(appeal: Appeal, user) -> bool:
    return appeal.building_id is None and appeal.compound_id in shared_compounds(user)


def appeals_visible_to(user) -> QuerySet[Appeal]:
    """Her own; the community side's by area; a party's those dispatched to it, and those it was called in on by a
    whistle (吹哨: the department sees what it must report in on)."""
    if not getattr(user, "is_authenticated", False):
        return Appeal.objects.none()
    scope = scope_for(user, Perm.HANDLE_APPEALS)
    if scope.everywhere:
        return Appeal.objects.all()
    condition = Q(reporter=user) | Q(assignee=user, ladder__gt="")  # and a care request handed to her
    if scope:
        condition |= scope.q()
        if compounds := shared_compounds(user):
            condition |= Q(compound_id__in=sorted(compounds), building_id__isnull=True)
    if orgs := member_organisation_ids(user):
        condition |= Q(party_id__in=orgs) | Q(pk__in=Whistle.objects.filter(department_id__in=orgs).values("appeal_id"))
    return Appeal.objects.filter(condition)


def acts_for_community(user, appeal: Appeal) -> bool:
    scope = scope_for(user, Perm.HANDLE_APPEALS)
    return scope.covers(appeal) or (bool(scope) and _compound_wide(appeal, user))


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



# the community side's actions, the party's, and those either may take
COMMUNITY_ACTIONS = frozenset({Action.ACCEPT, Action.DISPATCH, Action.CLOSE_UNRESOLVED, Action.FOLLOW_UP,
                               Action.WHISTLE, Action.MERGE, Action.RECLASSIFY, Action.UNPUBLISH,
                               Action.RELOCATE})
PARTY_ACTIONS = frozenset({Action.TAKE, Action.RETURN, Action.EXTEND_REQUEST})
EITHER_ACTIONS = frozenset({Action.TRANSFER, Action.PAUSE, Action.RESUME})
_REFUSALS = {
    Action.TRANSFER: _("只有社区或承办单位可以转派"),
    Action.PAUSE: _("只有社区或承办单位可以暂停计时"),
    Action.RESUME: _("只有社区或承办单位可以恢复计时"),
}


def holds(user, appeal: Appeal) -> bool:
    """On an app's own ladder (a care request), the person it is handed to holds it: the member, then the centre
    household, then the branch; she takes it in and resolves it, as the community would."""
    return bool(appeal.ladder) and appeal.assignee_id is not None and appeal.assignee_id == getattr(user, "pk", None)


HOLDER_ACTIONS = frozenset({Action.ACCEPT, Action.RESOLVE})


def may(user, appeal: Appeal, action: str) -> bool:
    """Whether ``user``'s role lets her take ``action`` on ``appeal`` (its state is the lifecycle's question).
    Resolving is the community's right after accepting (a small matter settled at once) and the party's once
    it took the job."""
    if action in HOLDER_ACTIONS and holds(user, appeal) and (action != Action.RESOLVE
                                                             or appeal.state == State.ACCEPTED):
        return True
    if action == Action.RESOLVE:
        if appeal.state == State.ACCEPTED:
            return acts_for_community(user, appeal)
        return acts_for_party(user, appeal)
    if action in COMMUNITY_ACTIONS:
        return acts_for_community(user, appeal)
    if action in PARTY_ACTIONS:
        return acts_for_party(user, appeal)
    if action in EITHER_ACTIONS:
        return acts_for_community(user, appeal) or acts_for_party(user, appeal)
    return False


def require_may(user, appeal: Appeal, action: str) -> None:
    """Refuse ``action`` unless ``user`` may take it. When she could on the appeal as she saw it, and no longer
    may on the row as locked (another worker transferred it, a party took it back meanwhile), she lost a race:
    409 Conflict, "look again", not 403 as if she never had the right."""
    if may(user, appeal, action):
        return
    seen = getattr(appeal, "seen", None)
    if seen is not None and seen is not appeal and may(user, seen, action):
        raise Conflict(_("这条诉求刚刚被别人处理过，情况已经变化，请刷新后再看"), code="changed_meanwhile")
    if action in _REFUSALS:
        raise NotPermitted(_REFUSALS[action])
    if action in PARTY_ACTIONS or (action == Action.RESOLVE and appeal.state != State.ACCEPTED):
        raise NotPermitted(_("只有承办单位可以执行此操作"))
    raise NotPermitted(_("只有社区（网格）工作人员可以执行此操作"))


def actions_for(user, appeal: Appeal) -> set[str]:
    """The actions the user may take on the appeal now: her role allows it, and its state and the clock do.
    Staff pages draw their buttons from this; the API lists it."""
    actions = {a for a in COMMUNITY_ACTIONS | PARTY_ACTIONS | EITHER_ACTIONS | {Action.RESOLVE}
               if allows(a, appeal.state) and may(user, appeal, a)}
    actions.discard(Action.RESUME if appeal.paused_at is None else Action.PAUSE)
    if not appeal.public:
        actions.discard(Action.UNPUBLISH)
    return actions


def called_on(user) -> Q:
    """Whistles ``user`` is called in on: her department's, or her subdistrict's (as ``may_report_in``)."""
    subdistricts = [g.area_id for g in active_grants(user) if g.role == Role.SUBDISTRICT_STAFF]
    return Q(department_id__in=organisations_for(user, Perm.WORK_APPEALS)) | Q(subdistrict_id__in=subdistricts)


def may_report_in(user, whistle: Whistle) -> bool:
    """部门报到: the called department's staff, or the called subdistrict's staff (within their subdistrict)."""
    if whistle.department_id:
        return whistle.department_id in organisations_for(user, Perm.WORK_APPEALS)
    return any(g.role == Role.SUBDISTRICT_STAFF and g.area_id == whistle.subdistrict_id for g in active_grants(user))


def whistle_steps(user, whistle: Whistle, appeal: Appeal) -> set[str]:
    """The co-handling steps ``user`` may take on ``whistle`` now, as the services decide them: the called body
    reports in, then says what it did; the community confirms it or sends it back."""
    if whistle.confirmed_at is not None:
        return set()
    if whistle.fed_back_at is not None:
        return {"confirm", "send-back"} if acts_for_community(user, appeal) else set()
    if not may_report_in(user, whistle):
        return set()
    return {"feedback"} if whistle.reported_at else {"report-in"}


def may_assign(user, appeal: Appeal) -> bool:
    """Naming the 经办人 is for the side holding the appeal: the dispatched party's staff, or the community."""
    if appeal.party_id and appeal.party.kind not in COMMUNITY_BODIES:
        return acts_for_party(user, appeal)
    return acts_for_community(user, appeal)


def may_add_photos(user, appeal: Appeal) -> bool:
    """Her own appeal's reporter, or staff working it."""
    return (appeal.reporter_id is not None and appeal.reporter_id == getattr(user, "pk", None)) or (
        acts_for_community(user, appeal) or acts_for_party(user, appeal))
