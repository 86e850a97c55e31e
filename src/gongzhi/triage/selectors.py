"""Triage reads: what the staff appeal page shows of the machine's first read, ranked duplicates, hotspots, and
the reply check's figures."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import Avg, Case, CharField, Count, F, Q, Value, When
from django.utils.translation import gettext as _

from gongzhi.access.roles import Role
from gongzhi.accounts.selectors import staff_of
from gongzhi.appeals.choices import State
from gongzhi.appeals.figures import period_bounds
from gongzhi.appeals.models import Appeal, Category
from gongzhi.appeals.permissions import acts_for_community, appeals_visible_to
from gongzhi.appeals.selectors import merge_candidates
from gongzhi.core.errors import NotFound
from gongzhi.registry.choices import AreaKind
from gongzhi.registry.models import Area

from . import loaded, permissions, similar
from .models import Hotspot, HotspotRun, ReplyCheck, Triage

# candidates this alike (text, plus the place bonus) are offered as likely duplicates
DUPLICATE_AT = 0.35
# candidates scoring less than this (text, plus the place bonus) are not offered at all. By text alone 89% of the
# hand-labelled duplicates reach it (make eval-groups, stderr); an unrelated appeal of the same compound scores a
# few %. Short notes of one problem in other words (电梯坏了两天了没人修, 3号楼电梯又停了) read little alike, and
# reach it only with the same building and category family, which is why the bonus counts.
SHOWN_AT = 0.2


@dataclass
class Suggestion:
    category: Category
    score: float
    family_score: float
    readable: bool = True

    @property
    def percent(self) -> int:
        return round(self.score * 100)


def triage_panel(*, viewer, appeal: Appeal) -> dict | None:
    """For the community side only: the suggestions (as categories), how sure, whether applied, the place read
    from the text; ``model`` False when no classifier is trained yet; ``unsure`` when even the likeliest is a
    guess. ``waiting``: the appeal waits for a person
    to choose its category (none was chosen at filing, and the machine was not sure enough)."""
    if not acts_for_community(viewer, appeal):
        return None
    triage = Triage.objects.filter(appeal=appeal).select_related("place_area").first()
    version, _model = loaded.current()
    suggestions = []
    if triage is not None and triage.suggestions:
        categories = Category.objects.select_related("parent").in_bulk([s["category"] for s in triage.suggestions])
        suggestions = [Suggestion(categories[s["category"]], s["score"], s.get("family_score", s["score"]),
                                  s.get("readable", True))
                       for s in triage.suggestions if s["category"] in categories]
    return {
        "triage": triage, "suggestions": suggestions, "model": version is not None,
        "threshold": min(round(settings.GONGZHI["TRIAGE"]["AUTO_APPLY"] * 100), 100),
        # a category a person chose when filing (the desk, a hotspot task) is not asked for again; the
        # suggestions stay, for reference
        "chosen": (appeal.state == State.SUBMITTED and appeal.category_id is not None
                   and not (triage is not None and triage.applied)),
        # a person has decided since (accepted it, or corrected the machine): the suggestions are history
        "decided": appeal.state != State.SUBMITTED,
        # what the machine applied, which a person may have corrected since
        "applied": suggestions[0].category if triage is not None and triage.applied and suggestions else None,
        "waiting": appeal.state == State.SUBMITTED and appeal.category_id is None,
        # even the likeliest family is a guess: no one-click accept, the worker chooses (a confident wrong
        # suggestion is routed wrong; none is not)
        "unsure": bool(suggestions) and (not suggestions[0].readable
                                         or suggestions[0].family_score < settings.GONGZHI["TRIAGE"]["UNSURE"]),
        "categories": Category.objects.filter(is_active=True).select_related("parent"),
    }


@dataclass
class Duplicate:
    appeal: Appeal
    score: float
    words: list[str]

    @property
    def percent(self) -> int:
        return round(self.score * 100)

    @property
    def marked(self):
        return similar.highlight(self.appeal.text[:200], self.words)

    @property
    def likely(self) -> bool:
        return self.score >= DUPLICATE_AT


def duplicate_candidates(*, viewer, appeal: Appeal, limit: int = 8) -> list[Duplicate]:
    """Appeals about the same place in the last 30 days that this one may be merged into
    (appeals.selectors.merge_candidates), ranked by how alike their text reads, with a bonus for the same building
    and the same category family; those below ``SHOWN_AT`` are left out. The meaningful words both use are
    marked. Only suggested: merging stays a person's decision."""
    pool = merge_candidates(viewer=viewer, appeal=appeal, limit=200)
    if not pool:
        return []
    family = (appeal.category.parent_id or appeal.category_id) if appeal.category_id else None
    ranked = []
    for other, score in zip(pool, similar.cosines(appeal.text, [other["text"] for other in pool]), strict=True):
        if appeal.building_id and other["building_id"] == appeal.building_id:
            score += 0.1
        if family and other["family"] == family:
            score += 0.05
        if score >= SHOWN_AT:
            ranked.append((min(score, 1.0), other["id"]))
    ranked.sort(key=lambda pair: (-pair[0], -pair[1]))
    ranked = ranked[:limit]
    shown = Appeal.objects.select_related("category__parent").in_bulk([pk for _score, pk in ranked])
    words = similar.content_words(appeal.text)
    return [Duplicate(shown[pk], round(score, 3), similar.shared_words(words, shown[pk].text))
            for score, pk in ranked]


def hotspot_run(area: Area | None) -> HotspotRun | None:
    """The newest run that covers ``area`` (a run of the whole city, of the area, or of a wider one)."""
    runs = HotspotRun.objects.all()
    if area is not None:
        wider = [pk for pk in (area.pk, area.community_id, area.subdistrict_id, area.district_id) if pk]
        runs = runs.filter(Q(scope__isnull=True) | Q(scope_id__in=wider))
    else:
        runs = runs.filter(scope__isnull=True)
    return runs.order_by("-end", "-id").first()


def hotspot_area(*, viewer, pk) -> Area:
    """An area whose hotspots the viewer may look at; another is not found, as if it did not exist (issue 21)."""
    area = Area.objects.filter(pk=pk).first() if str(pk).isdigit() else None
    if area is None or not permissions.may_see(viewer, area):
        raise NotFound(_("未找到该区域，或您无权查看"))
    return area


def hotspot_detail(*, viewer, pk: int) -> Hotspot:
    """A hotspot of an area the viewer may look at; another is not found (404, never 403: it does not say that
    a hotspot of that number exists elsewhere)."""
    hotspot = Hotspot.objects.select_related("place").filter(pk=pk).first()
    if hotspot is None or not permissions.may_see(viewer, hotspot.place):
        raise NotFound(_("未找到该热点，或您无权查看"))
    return hotspot


def hotspots_for(*, viewer, area: Area | None, limit: int = 20, appeals_each: int = 30) -> dict:
    """The hottest problems of ``area`` (the city when None) from the newest run covering it, each with its
    appeals (newest first, at most ``appeals_each``)."""
    permissions.require_see(viewer, area)
    run = hotspot_run(area)
    if run is None:
        return {"run": None, "hotspots": []}
    found = run.hotspots.select_related("place", "category__parent", "task")
    if area is not None:
        if area.kind == AreaKind.COMMUNITY:
            found = found.filter(community=area)
        elif area.kind == AreaKind.SUBDISTRICT:
            found = found.filter(subdistrict=area)
        elif area.kind == AreaKind.DISTRICT:
            found = found.filter(place__district=area)
        else:
            found = found.filter(Q(place=area) | Q(**{f"place__{area.kind}": area}))
    found = list(found.order_by("-heat", "id")[:limit])
    wanted = {i for h in found for i in sorted(h.appeal_ids, reverse=True)[:appeals_each]}
    appeals = {a.pk: a for a in Appeal.objects.filter(pk__in=wanted).only("id", "number", "state", "text",
                                                                          "created_at", "category_id")}
    for h in found:
        h.members = sorted((appeals[i] for i in h.appeal_ids if i in appeals), key=lambda a: -a.pk)
        h.can_task = h.task_id is None and permissions.may_act(viewer, h.place)
    return {"run": run, "hotspots": found}


def grid_workers(grid_id: int | None) -> set[int]:
    """The users who work a grid now (a hotspot task there is theirs to take, and they are told of it)."""
    if not grid_id:
        return set()
    return set(staff_of(areas=[grid_id], roles=[Role.GRID_WORKER]).values_list("user_id", flat=True))


def reply_quality(*, viewer, start: date, end: date) -> list[dict]:
    """The reply check's scores of the replies sent from ``start`` to ``end`` (inclusive) on appeals ``viewer``
    sees, one row per party (the community's own replies as one row per community), most replies first."""
    since, until = period_bounds(start, end)
    rows = (ReplyCheck.objects.filter(at__gte=since, at__lt=until, appeal__in=appeals_visible_to(viewer).values("id"))
            # a party's replies are one row whatever communities they were for; the community's own, one per community
            .annotate(own=Case(When(party__isnull=True, then=F("community__name")), default=Value(""),
                                output_field=CharField()))
            .values("party_id", "party__name", "own")
            .annotate(replies=Count("id"), weak=Count("id", filter=Q(weak=True)),
                      sent_after_warning=Count("id", filter=Q(sent_after_warning=True)),
                      relevance=Avg("relevance"), completeness=Avg("completeness"), tone=Avg("tone")))
    out = []
    for row in rows:
        label = row["party__name"] or _("%(community)s（社区自办）") % {"community": row["own"] or "—"}
        out.append({"party_id": row["party_id"], "label": label, "replies": row["replies"], "weak": row["weak"],
                    "weak_share": round(row["weak"] / row["replies"], 4),
                    "sent_after_warning": row["sent_after_warning"],
                    **{k: round(float(row[k]), 2) for k in ("relevance", "completeness", "tone")}})
    return sorted(out, key=lambda r: (-r["replies"], r["label"]))
