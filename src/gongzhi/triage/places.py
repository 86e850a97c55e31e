"""Where an appeal is about, read from its text and matched to the registry (“阳光小区3号楼电梯坏了”).

Names of compounds and communities are looked up by every substring of the text up to the longest name
(a dictionary lookup each, so a city of 100,000 compounds costs what a community does); a building (3号楼,
三栋, 5幢) and a unit (2单元) are looked for right after the compound and matched by number. Only places inside
the area the appeal came in for count, and a name that fits two places there is reported, not guessed.
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from gongzhi.registry.choices import AreaKind
from gongzhi.registry.models import Area, natural_position

from . import text as triage_text

# a name this short is too likely to be an ordinary word (“和平”, “阳光”)…
MIN_NAME = 3
SUFFIXES = ("小区", "社区")
# …unless the text says it is a place: “怡园小区”, “怡园3号楼”; or it is the name of the very compound the appeal
# came in for (“【热点问题】怡园：…”), which moves nothing
SHORT_NAME = 2
_PLACE_WORD = re.compile(r"^(?:小区|社区|花园|[0-9一二两三四五六七八九十]{1,4}(?:号楼|号院|栋|幢|座))")
_BUILDING = re.compile(r"^[的\s]{0,2}([0-9]{1,4}|[一二两三四五六七八九十百零]{1,5})(号楼|号院|栋|幢|座|号)")
_UNIT = re.compile(r"^[的\s,，]{0,2}([0-9]{1,3}|[一二两三四五六七八九十]{1,3})单元")
_CACHE_SECONDS = 300
_Index = dict[str, list[tuple[int, str, int | None]]]
_index_cache: dict[int | None, tuple[float, _Index, int, _Index]] = {}


@dataclass
class PlaceMatch:
    area: Area | None
    matched: list[tuple[str, str]] = field(default_factory=list)  # (text found, kind)
    why: str = ""
    candidates: list[Area] = field(default_factory=list)  # when a name fits several places

    def as_json(self) -> dict:
        return {"area": self.area.pk if self.area else None, "matched": [list(m) for m in self.matched],
                "why": self.why, "candidates": [a.pk for a in self.candidates]}


def _names_for(name: str) -> list[str]:
    names = {name}
    for suffix in SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= MIN_NAME:
            names.add(name[: -len(suffix)])
    return [triage_text.clean(n) for n in names if len(n) >= MIN_NAME]


def _index(scope: Area | None) -> tuple[_Index, int, _Index]:
    """name → [(area id, kind, community id)] for the compounds and communities under ``scope``; the longest
    name; and the names of ``SHORT_NAME`` characters, read only where the text marks them as places."""
    key = scope.pk if scope else None
    cached = _index_cache.get(key)
    if cached and time.monotonic() - cached[0] < _CACHE_SECONDS:
        return cached[1], cached[2], cached[3]
    areas = Area.objects.filter(kind__in=(AreaKind.COMPOUND, AreaKind.COMMUNITY))
    if scope is not None:
        areas = areas.filter(**{scope.kind: scope.pk})
    index: _Index = {}
    short: _Index = {}
    for pk, kind, name, community in areas.values_list("pk", "kind", "name", "community_id").iterator():
        for n in _names_for(name):
            index.setdefault(n, []).append((pk, kind, community))
        if len(name) == SHORT_NAME:
            short.setdefault(triage_text.clean(name), []).append((pk, kind, community))
    longest = max((len(n) for n in index), default=0)
    _index_cache[key] = (time.monotonic(), index, longest, short)
    return index, longest, short


def forget() -> None:
    """Drop the cached name indexes (tests; after a registry import)."""
    _index_cache.clear()


def _scope_of(area: Area | None) -> Area | None:
    """Search names within the appeal's community, or its subdistrict/district when it came in for those."""
    if area is None:
        return None
    if area.kind in (AreaKind.DISTRICT, AreaKind.SUBDISTRICT, AreaKind.COMMUNITY):
        return area
    return Area(pk=area.community_id, kind=AreaKind.COMMUNITY) if area.community_id else area


def locate(text: str, within: Area | None = None) -> PlaceMatch:
    """The most specific registry place the text names inside ``within`` (None: anywhere)."""
    cleaned = triage_text.clean(text)
    index, longest, short = _index(_scope_of(within))
    own = (within.pk if within.kind == AreaKind.COMPOUND else within.compound_id) if within is not None else None
    found: list[tuple[int, int, list[tuple[int, str, int | None]]]] = []  # (start, end, entries)
    i = 0
    while i < len(cleaned) and (longest or short):
        for size in range(min(longest, len(cleaned) - i), MIN_NAME - 1, -1):
            entries = index.get(cleaned[i:i + size])
            if entries:
                found.append((i, i + size, entries))
                i += size - 1
                break
        else:
            entries = short.get(cleaned[i:i + SHORT_NAME])
            if entries and (_PLACE_WORD.match(cleaned[i + SHORT_NAME:i + SHORT_NAME + 8])
                            or any(e[0] == own for e in entries)):
                found.append((i, i + SHORT_NAME, entries))
                i += SHORT_NAME - 1
        i += 1
    if not found:
        return PlaceMatch(None, why=_("文中没有找到登记过的小区或社区名称"))
    # a compound is more precise than a community; among equals, the first mention
    found.sort(key=lambda f: (0 if any(entry[1] == AreaKind.COMPOUND for entry in f[2]) else 1, f[0]))
    start, end, entries = found[0]
    compounds = [e for e in entries if e[1] == AreaKind.COMPOUND] or entries
    # a community named in the text too settles which of two same-named compounds is meant
    named_communities = {entry[0] for hit in found for entry in hit[2] if entry[1] == AreaKind.COMMUNITY}
    if len(compounds) > 1 and named_communities:
        narrowed = [e for e in compounds if e[2] in named_communities]
        compounds = narrowed or compounds
    name = cleaned[start:end]
    if len(compounds) > 1:
        places = list(Area.objects.filter(pk__in=[e[0] for e in compounds]).select_related("community"))
        return PlaceMatch(None, [(name, compounds[0][1])], candidates=places,
                          why=_("“%(n)s”对应%(c)d处地点，请人工确认") % {"n": name, "c": len(places)})
    place = Area.objects.select_related("community").get(pk=compounds[0][0])
    matched = [(name, place.kind)]
    rest = cleaned[end:end + 16]
    if place.kind == AreaKind.COMPOUND and (b := _BUILDING.match(rest)):
        number = natural_position(b.group(1))
        building = Area.objects.filter(parent=place, kind=AreaKind.BUILDING, position=number).first()
        if building is not None:
            place, matched = building, [*matched, (b.group(1) + b.group(2), AreaKind.BUILDING)]
            if u := _UNIT.match(rest[b.end():]):
                unit = Area.objects.filter(parent=building, kind=AreaKind.UNIT,
                                           position=natural_position(u.group(1))).first()
                if unit is not None:
                    place, matched = unit, [*matched, (u.group(1) + "单元", AreaKind.UNIT)]
    return PlaceMatch(place, matched, why=_describe(place, matched))


def _describe(place: Area, matched: list[tuple[str, str]]) -> str:
    found = "".join(text for text, _kind in matched)
    where = place.community.name if getattr(place, "community", None) and place.kind != AreaKind.COMMUNITY else ""
    return (_("文中“%(f)s”与登记的%(k)s“%(p)s”（%(w)s）一致") if where else _("文中“%(f)s”与登记的%(k)s“%(p)s”一致")) % {
        "f": found, "k": place.get_kind_display(), "p": _full_name(place), "w": where}


def _full_name(place: Area) -> str:
    if place.kind == AreaKind.COMPOUND or place.kind == AreaKind.COMMUNITY:
        return place.name
    chain = list(Area.objects.filter(pk__in=[place.compound_id, place.building_id, place.unit_id])
                 .order_by("kind").values_list("kind", "name"))
    order = {AreaKind.COMPOUND: 0, AreaKind.BUILDING: 1, AreaKind.UNIT: 2}
    return "".join(name for _kind, name in sorted(chain, key=lambda kn: order.get(kn[0], 9)))
