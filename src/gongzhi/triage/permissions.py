"""Who sees which hotspots, and who may act on them: the community side (HANDLE_APPEALS) of the area. A grid
worker sees her community's hotspots; those who handle appeals everywhere (administrators, city operators) see the city's."""
from django.utils.translation import gettext as _

from gongzhi.access.scopes import Perm, scope_for
from gongzhi.appeals.permissions import acts_for_community, acts_for_party
from gongzhi.core.errors import NotPermitted
from gongzhi.registry.choices import AreaKind
from gongzhi.registry.models import Area

SUMMARY_KINDS = (AreaKind.DISTRICT, AreaKind.SUBDISTRICT, AreaKind.COMMUNITY)


def hotspot_areas(viewer) -> tuple[bool, list[Area]]:
    """(whether the viewer sees the whole city, the districts/subdistricts/communities she may look at)."""
    scope = scope_for(viewer, Perm.HANDLE_APPEALS)
    if scope.everywhere:
        return True, list(Area.objects.filter(kind__in=(AreaKind.DISTRICT, AreaKind.SUBDISTRICT))
                          .order_by("kind", "name"))
    areas = Area.objects.filter(pk__in={pk for _kind, pk in scope.places}).only("id", "kind", "community_id")
    summary = {a.pk if a.kind in SUMMARY_KINDS else a.community_id for a in areas}
    return False, list(Area.objects.filter(pk__in=summary - {None}).order_by("kind", "name"))


def may_see(viewer, area: Area | None, mine: tuple[bool, list[Area]] | None = None) -> bool:
    """``mine``: the viewer's ``hotspot_areas``, when the caller has them already."""
    city, areas = mine or hotspot_areas(viewer)
    if city:
        return True
    if area is None:
        return False
    mine = {a.pk for a in areas}
    return any(pk in mine for pk in (area.pk, area.community_id, area.subdistrict_id, area.district_id) if pk)


def require_see(viewer, area: Area | None) -> None:
    if not may_see(viewer, area):
        raise NotPermitted(_("您无权查看该范围的热点问题"))


def may_act(viewer, place: Area) -> bool:
    """Turning a hotspot into a task files a patrol appeal at its place: the viewer's area must hold it."""
    return scope_for(viewer, Perm.HANDLE_APPEALS).covers(place)


def require_act(viewer, place: Area) -> None:
    if not may_act(viewer, place):
        raise NotPermitted(_("只有该地点的社区（网格）工作人员可以派发主动治理任务"))


def require_replier(viewer, appeal) -> None:
    """The reply check is for those who write the reply: the side handling the appeal (its community or the party
    it is dispatched to), not its reporter or a body called in by a whistle."""
    if not (acts_for_community(viewer, appeal) or acts_for_party(viewer, appeal)):
        raise NotPermitted(_("只有办理这条诉求的一方可以检查答复"))
