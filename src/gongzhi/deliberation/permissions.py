"""Who may see and do what in deliberation. Every service and selector asks here; here asks ``access.scopes`` and the
resident's verified households only.

* Staff see the topics of their area (``VIEW_AREAS``) and run the councils of their area (``RUN_COUNCILS``: the
  community side, the grid worker for her grid's councils, the subdistrict).
* A resident sees, co-signs, objects to and evaluates the topics whose scope holds one of her verified homes
  (实名认证); elsewhere a topic is not found, never forbidden. She proposes to the councils over her homes.
* In an owners' vote she casts the ballot of each part on the roll she owns (the part's buyer of record is her
  resident record) or co-owns (an owner of the household the part lies with).
"""
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from gongzhi.access.scopes import Perm, Scope, scope_for
from gongzhi.accounts.choices import BindingStatus
from gongzhi.accounts.models import HouseholdBinding
from gongzhi.core.errors import NotFound, NotPermitted
from gongzhi.registry.choices import PLACE_KINDS, Tenure

from .choices import RESOLVED_STAGES, Stage
from .models import Council, RollEntry, Topic, Vote
from .transitions import TRANSITIONS, allows


def _homes(user) -> list[dict]:
    """The user's verified homes: household, her resident record there and its tenure, and the household's places.
    Cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = user.__dict__.get("_gz_homes")
    if cached is None:
        cached = list(HouseholdBinding.objects.filter(user=user, status=BindingStatus.VERIFIED).values(
            "household_id", "resident_id", "resident__tenure",
            *(f"household__{kind}_id" for kind in PLACE_KINDS)))
        user.__dict__["_gz_homes"] = cached
    return cached


def home_area_ids(user) -> set[int]:
    """Every area that holds one of the user's verified homes (its unit up to its district)."""
    ids: set[int] = set()
    for home in _homes(user):
        ids.update(v for k, v in home.items() if k.startswith("household__") and v)
    return ids


def in_scope(user, topic: Topic) -> bool:
    return topic.scope_id in home_area_ids(user)


def runs(user, council: Council) -> bool:
    return scope_for(user, Perm.RUN_COUNCILS).covers(council)


def sees_as_staff(user, topic: Topic) -> bool:
    return scope_for(user, Perm.VIEW_AREAS).covers(topic) or runs(user, topic.council)


def _either(first: Scope, second: Scope, *, prefix: str = "") -> Q:
    """Rows in either scope (``Q() | …`` would not mean "everything": Django drops an empty Q)."""
    if first.everywhere or second.everywhere:
        return Q()
    if not first:
        return second.q(prefix)
    return first.q() | second.q(prefix) if second else first.q()


def councils_visible_to(user) -> QuerySet[Council]:
    view, run = scope_for(user, Perm.VIEW_AREAS), scope_for(user, Perm.RUN_COUNCILS)
    if not view and not run:
        return Council.objects.none()
    return Council.objects.filter(_either(view, run))


def councils_run_by(user) -> QuerySet[Council]:
    return Council.objects.filter(scope_for(user, Perm.RUN_COUNCILS).q())


def topics_for_staff(user) -> QuerySet[Topic]:
    view, run = scope_for(user, Perm.VIEW_AREAS), scope_for(user, Perm.RUN_COUNCILS)
    if not view and not run:
        return Topic.objects.none()
    return Topic.objects.filter(_either(view, run, prefix="council__"))


def topics_for_resident(user) -> QuerySet[Topic]:
    """The topics whose scope holds one of her homes, and those she proposed."""
    if not getattr(user, "is_authenticated", False):
        return Topic.objects.none()
    return Topic.objects.filter(Q(scope_id__in=home_area_ids(user)) | Q(proposed_by=user))


def public_topics() -> QuerySet[Topic]:
    """What anyone may read: resolutions that took effect (or closed the topic), and what became of them. Under
    notice, a resolution is for the residents in scope."""
    return Topic.objects.filter(stage__in=RESOLVED_STAGES - {Stage.PUBLICISING}, resolved_at__isnull=False)


def require_runs(user, topic_or_council) -> None:
    council = topic_or_council.council if isinstance(topic_or_council, Topic) else topic_or_council
    if runs(user, council):
        return
    if isinstance(topic_or_council, Topic) and (sees_as_staff(user, topic_or_council)
                                                 or in_scope(user, topic_or_council)):
        raise NotPermitted(_("您不负责该议事会，不能办理此议题"))
    if isinstance(topic_or_council, Council) and councils_visible_to(user).filter(pk=council.pk).exists():
        raise NotPermitted(_("您不负责该议事会"))
    raise NotFound(_("议题不存在"))


def require_in_scope(user, topic: Topic) -> None:
    """A resident acting on a topic (co-sign, object, evaluate): her home must lie in its scope."""
    if in_scope(user, topic):
        return
    if topic.proposed_by_id == user.pk or sees_as_staff(user, topic):
        raise NotPermitted(_("该议题不涉及您已认证的住户，不能参与"))
    raise NotFound(_("议题不存在"))


def may_propose_to(user, council: Council) -> bool:
    """A resident proposes to the councils over her verified homes; staff to the councils they run."""
    return council.area_id in home_area_ids(user) or runs(user, council)


def entitled_parts(user, vote: Vote) -> QuerySet[RollEntry]:
    """The roll entries whose ballot this user may cast online: parts she owns or co-owns. The cast itself asks the
    same in hand-written SQL on its hot path (``services.votes._READ``): change both together."""
    homes = _homes(user)
    if not homes:
        return RollEntry.objects.none()
    owners = {h["resident_id"] for h in homes if h["resident_id"]}
    co_owned = {h["household_id"] for h in homes if h["resident__tenure"] == Tenure.OWNER}
    return RollEntry.objects.filter(Q(owner_id__in=owners) | Q(household_id__in=co_owned), vote=vote)


def steps_for(user, topic: Topic) -> set[str]:
    """The procedure's steps this user may take on the topic now (the staff page's buttons)."""
    if not runs(user, topic.council):
        return set()
    return {action for action in TRANSITIONS if allows(action, topic.stage)}


def resident_sees(user, topic: Topic) -> bool:
    return in_scope(user, topic) or topic.proposed_by_id == user.pk

