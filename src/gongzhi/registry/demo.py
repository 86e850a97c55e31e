"""A deterministic fictional city for the demo and the benchmarks.

``build_registry(residents=15000)`` gives one subdistrict of five communities, ~20 compounds (old ones
without a property company, looked after by the community's red steward), ~6,000 households and 15,000
residents with plausible names, valid (fictional) ID numbers, families, elderly people living alone,
tenants, party members, volunteers and special families; plus the organisations of every kind. Every
household has its dwelling (an exclusive part, 专有部分, with its floor area): the head's where the family owns
it, nobody's in the registry where it rents; in one commercial compound of each community the developer still
holds a few empty flats; a few owners also own a garage.
Larger ``residents`` grow the city (more communities, subdistricts, districts) with skewed sizes: a few
big communities, many small ones. The same arguments always give the same city.

It writes in bulk for speed (a million residents in minutes) through ``areas_bulk_create`` and
``Placed.place_at``, the same placement code the services use.
"""

import math
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction

from gongzhi.core.db import fast_insert, reserve_ids

from .choices import (
    PLACE_KINDS,
    AreaKind,
    CompoundType,
    OrgKind,
    PartKind,
    PartnerRole,
    Relation,
    SpecialFamily,
    Tenure,
)
from .models import (
    Area,
    ExclusivePart,
    Household,
    Organisation,
    OrganisationArea,
    OrganisationMember,
    Resident,
    ResidentSpecialFamily,
)
from .services import areas_bulk_create
from .validators import id_check_char

SEED = 20261123
TODAY = date(2026, 11, 1)  # ages are drawn against a fixed day so the city never changes

# --- names ---------------------------------------------------------------------------------------------

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
# rough frequencies of the first 20; the rest share the remainder
_SURNAME_TOP = (7.1, 7.0, 6.8, 5.4, 4.5, 3.1, 2.2, 2.1, 2.0, 1.9, 1.5, 1.5, 1.2, 1.2, 1.1, 1.1, 1.0, 1.0, 0.9, 0.9)
SURNAME_WEIGHTS = _SURNAME_TOP + (0.35,) * (len(SURNAMES) - len(_SURNAME_TOP))
COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛")

GIVEN = {
    ("old", "M"): "建国 国庆 卫东 志强 德明 福生 振华 国华 建华 永福 长林 学文 宝山 玉林 树林 德胜 金生 有才 文斌 广才 "
                  "庆丰 凤山 洪亮 兆祥 连生 春生 国栋 锡林 满仓",
    ("old", "F"): "秀英 桂英 秀兰 玉兰 淑珍 凤英 桂兰 玉珍 秀珍 淑英 凤兰 素珍 玉梅 桂珍 秀芳 淑兰 金凤 翠兰 玉芳 慧敏 "
                  "桂芝 秀云 月英 淑华 翠英 玉华 春兰 素芬",
    ("mid", "M"): "伟 强 磊 军 勇 杰 涛 斌 超 明 刚 平 辉 鹏 华 飞 鑫 波 宁 建军 海涛 志刚 晓东 俊杰 文涛 立新 红军 "
                  "永强 学军 海波 振宇 立伟",
    ("mid", "F"): "芳 娜 敏 静 丽 艳 娟 霞 燕 玲 丽娟 红梅 晓燕 海燕 雪梅 丽华 春梅 桂芳 晓红 美玲 秀梅 晓丽 "
                  "红霞 彩霞 丽萍 晓霞 文静 丽红",
    ("young", "M"): "浩然 子轩 宇航 一鸣 俊熙 梓豪 博文 天佑 子墨 宇轩 思源 浩宇 皓轩 明轩 嘉懿 睿 晨 昊 哲 "
                    "铭泽 奕辰 沐阳 景行 承泽 俊宇 子健 逸飞 云帆",
    ("young", "F"): "子涵 欣怡 梓涵 诗涵 雨涵 可馨 思琪 一诺 语桐 欣妍 佳怡 梦瑶 雨欣 紫萱 若曦 婷 悦 萱 琳 "
                    "颖 诗琪 可欣 雨桐 梓萱 芷若 语嫣 安琪 静怡",
}
GIVEN = {k: tuple(v.split()) for k, v in GIVEN.items()}

COMMUNITY_NAMES = (
    "和平里", "双合家园", "幸福家园", "金桥", "铁路新村", "望湖", "春晖", "永安里", "新华", "朝阳门", "东风", "光明",
    "团结湖", "紫竹", "石榴园", "三里屯", "花园村", "前进", "红旗", "长青", "翠微", "安华里", "白云", "桃源",
    "青年路", "百子湾", "南湖", "北苑", "西坝河", "芳草地",
)
COMPOUND_NAMES = (
    "阳光花园", "金色家园", "和平里北区", "铁路宿舍", "建工大院", "幸福苑", "锦绣华庭", "紫荆园", "丽景湾", "翠竹园",
    "康乐小区", "福地家园", "朝阳新村", "百合园", "新华小区", "东湖湾", "碧水云天", "文化宫宿舍", "桂香苑", "怡园",
    "北苑居", "军缘新城", "上河村", "知春里", "枫林绿洲", "望京花园", "金台里", "水岸名苑", "芳园里", "民馨园",
    "星河湾", "华贸公寓", "双合东里", "团结小区", "纺织厂宿舍", "电力宿舍", "春秀路小区", "育新花园", "嘉园", "德胜里",
)
STREET_NAMES = ("桃源", "云湖", "东湖", "望京", "建安", "和平", "朝阳", "永定", "长安", "新街口", "广安", "德胜")
DISTRICT_NAMES = ("云湖区", "东湖区", "西山区", "南河区", "北塔区", "中城区")
PROPERTY_BRANDS = ("安居", "万家", "金盾", "宜居", "和美", "瑞城", "康桥", "恒信", "绿洲", "诚和", "邻里", "嘉禾",
                   "华庭", "盛世", "润泽", "安泰", "德信", "远洋", "首开", "鸿基")
PROPERTY_SUFFIXES = ("物业服务有限公司", "物业管理有限公司", "物业服务集团有限公司")
DEPARTMENTS = (
    ("住房和城乡建设委员会", "district"), ("房屋管理局", "district"), ("园林绿化局", "district"),
    ("城市管理委员会", "district"), ("生态环境局", "district"), ("市场监督管理局", "district"),
    ("民政局", "district"), ("卫生健康委员会", "district"), ("交通委员会", "district"), ("水务局", "district"),
    ("派出所", "subdistrict"), ("城管执法队", "subdistrict"), ("社区卫生服务中心", "subdistrict"),
)
PARTNER_UNITS = ("第一中学", "人民医院", "供电公司营业所", "工商银行支行", "自来水公司服务站", "邮政支局", "热力公司分公司")
SOCIAL_ORGS = ("夕阳红老年协会", "聪明树青少年服务中心", "金牌管家家庭服务协会", "金晚霞爱心文化协会", "邻里调解工作室",
               "阳光助残服务社")
VOLUNTEER_TEAMS = ("温馨到家志愿服务队", "平安巡逻队", "环境清洁志愿队", "助老服务队", "文明引导队")
POSTS_PARTY = ("书记", "副书记", "组织委员", "宣传委员")
POSTS_COMMITTEE = ("主任", "副主任", "委员", "委员")
POSTS_COMPANY = ("项目经理", "客服主管", "工程主管", "安保主管")
REGIONS = ("110101", "110102", "110105", "110106", "110107", "110108", "110109", "110111", "130102", "130104",
           "370102", "410105", "420106", "510104", "320102", "330106", "210102", "340104")


@dataclass
class DemoSummary:
    residents: int = 0
    households: int = 0
    areas: int = 0
    organisations: int = 0
    community_ids: list[int] = field(default_factory=list)
    subdistrict_ids: list[int] = field(default_factory=list)


class Namer:
    """Plausible Chinese names, birth dates, ID numbers and phones from one seeded generator."""

    def __init__(self, rng: random.Random, regions: tuple[str, ...] = ()):
        """``regions``: where ID numbers are issued (a second Namer with other regions never collides)."""
        self.rng = rng
        self.regions = regions or REGIONS
        self.id_serials: dict[tuple[str, date, int], int] = {}
        self._surname_cum = list(_cumulative(SURNAME_WEIGHTS))

    def surname(self) -> str:
        if self.rng.random() < 0.003:
            return self.rng.choice(COMPOUND_SURNAMES)
        return SURNAMES[_pick(self.rng, self._surname_cum)]

    def given(self, born: date, gender: str) -> str:
        era = "old" if born.year < 1960 else "mid" if born.year < 1988 else "young"
        return self.rng.choice(GIVEN[(era, gender)])

    def id_number(self, born: date, gender: str) -> str:
        region = self.rng.choice(self.regions)
        parity = 1 if gender == "M" else 0
        key = (region, born, parity)
        serial = self.id_serials.get(key, 0)
        while True:  # serials per region, day and sex: 500 per parity before spilling into another region
            serial += 1
            if serial < 500:
                break
            region = self.rng.choice(self.regions)
            key = (region, born, parity)
            serial = self.id_serials.get(key, 0)
        self.id_serials[key] = serial
        seq = serial * 2 - parity  # the 17th digit is odd for men, even for women
        body = f"{region}{born:%Y%m%d}{seq:03d}"
        return body + id_check_char(body)

    def mobile(self) -> str:
        prefix = self.rng.choice(("130", "131", "132", "135", "136", "137", "138", "139", "150", "151", "152",
                                  "155", "156", "158", "159", "170", "176", "177", "180", "185", "186", "187",
                                  "188", "189", "191", "199"))
        return prefix + f"{self.rng.randrange(10**8):08d}"

    def landline(self) -> str:
        return f"010-{self.rng.randrange(6, 9)}{self.rng.randrange(10**7):07d}"


def _cumulative(weights) -> Iterator[float]:
    total = 0.0
    for w in weights:
        total += w
        yield total


def _pick(rng: random.Random, cumulative: list[float]) -> int:
    x = rng.random() * cumulative[-1]
    lo, hi = 0, len(cumulative) - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if cumulative[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    return lo


def _split(rng: random.Random, total: int, parts: int, sigma: float = 0.6) -> list[int]:
    """Split ``total`` into ``parts`` skewed positive sizes (a few big, many small)."""
    weights = [rng.lognormvariate(0, sigma) for _ in range(parts)]
    s = sum(weights)
    sizes = [max(1, int(total * w / s)) for w in weights]
    sizes[0] += total - sum(sizes)
    return sizes


def _birth(rng: random.Random, age_lo: int, age_hi: int) -> date:
    age_days = rng.randrange(age_lo * 365, age_hi * 365 + 364)
    return TODAY - timedelta(days=age_days)


def _log(message: str, quiet: bool) -> None:
    if not quiet:
        print(message, file=sys.stderr, flush=True)


# --- areas -------------------------------------------------------------------------------------------


@dataclass
class _CompoundPlan:
    area: Area
    households: int
    kind: str


def build_registry(*, residents: int = 15000, seed: int = SEED, quiet: bool = False) -> DemoSummary:
    """Build the registry part of the demo city in an empty database."""
    rng = random.Random(seed)
    namer = Namer(rng)
    summary = DemoSummary()
    target_households = max(40, round(residents / 2.48))
    n_communities = max(5, round(residents / 5000))
    n_subdistricts = max(1, math.ceil(n_communities / 12))
    n_districts = max(1, math.ceil(n_subdistricts / 10))
    _log(f"demo city: {residents} residents, ~{target_households} households, {n_communities} communities, "
         f"{n_subdistricts} subdistricts, {n_districts} districts", quiet)

    with transaction.atomic():
        districts = areas_bulk_create(
            [Area(kind=AreaKind.DISTRICT, name=_numbered(DISTRICT_NAMES, i), code=f"1101{90 + i:02d}")
             for i in range(n_districts)]
        )
        subdistricts = areas_bulk_create([
            Area(kind=AreaKind.SUBDISTRICT, parent=districts[i % n_districts],
                 name=_numbered(STREET_NAMES, i) + "街道")
            for i in range(n_subdistricts)
        ])
        communities = areas_bulk_create([
            Area(kind=AreaKind.COMMUNITY, parent=subdistricts[i % n_subdistricts],
                 name=_numbered(COMMUNITY_NAMES, i) + "社区")
            for i in range(n_communities)
        ])
        summary.community_ids = [c.pk for c in communities]
        summary.subdistrict_ids = [s.pk for s in subdistricts]

        community_households = _split(rng, target_households, n_communities)
        grids_by_community: dict[int, list[Area]] = {}
        compound_plans: list[_CompoundPlan] = []
        compound_rows: list[Area] = []
        compound_sizes: list[tuple[int, str]] = []
        grid_rows: list[Area] = []
        for community, hh in zip(communities, community_households, strict=True):
            n_grids = max(2, round(hh / 330))
            grid_rows += [Area(kind=AreaKind.GRID, parent=community, name=f"第{_cn(i + 1)}网格")
                          for i in range(n_grids)]
            n_compounds = max(2, round(hh / 300))
            names = rng.sample(COMPOUND_NAMES, min(n_compounds, len(COMPOUND_NAMES)))
            for i, size in enumerate(_split(rng, hh, n_compounds, sigma=0.5)):
                name = names[i] if i < len(names) else f"{names[i % len(names)]}{_cn(i // len(names) + 1)}区"
                roll = rng.random()
                kind = (CompoundType.OLD if roll < 0.25 else CompoundType.AFFORDABLE if roll < 0.32 else
                        CompoundType.WORK_UNIT if roll < 0.40 else CompoundType.COMMERCIAL)
                compound_rows.append(Area(kind=AreaKind.COMPOUND, parent=community, name=name, compound_type=kind))
                compound_sizes.append((size, kind))
        for grid in areas_bulk_create(grid_rows):
            grids_by_community.setdefault(grid.community_id, []).append(grid)
        for area, (size, kind) in zip(areas_bulk_create(compound_rows), compound_sizes, strict=True):
            compound_plans.append(_CompoundPlan(area=area, households=size, kind=kind))
        _log(f"  {len(grid_rows)} grids, {len(compound_rows)} compounds", quiet)

        # buildings: old compounds are 5–6 floor walk-ups; newer ones towers; each building lies in one grid
        building_rows: list[Area] = []
        building_grids: dict[int, Area] = {}
        layouts: list[tuple[int, int, int, int]] = []  # units, floors, rooms per floor, households wanted
        for plan in compound_plans:
            grids = grids_by_community[plan.area.community_id]
            remaining, number = plan.households, 0
            first_grid = rng.randrange(len(grids))
            while remaining > 0:
                number += 1
                if plan.kind in (CompoundType.OLD, CompoundType.WORK_UNIT):
                    units, floors, per_floor = rng.randint(2, 4), rng.choice((5, 6, 6, 7)), 2
                else:
                    units, floors, per_floor = rng.randint(1, 3), rng.randint(11, 28), rng.choice((2, 3, 4))
                capacity = units * floors * per_floor
                take = min(remaining, capacity)
                remaining -= take
                # consecutive buildings share a grid; a big compound runs over into the next grid
                grid = grids[(first_grid + (number - 1) // 8) % len(grids)]
                building_grids[len(building_rows)] = grid
                building_rows.append(Area(kind=AreaKind.BUILDING, parent=plan.area, name=f"{number}号楼"))
                layouts.append((units, floors, per_floor, take))
        buildings = areas_bulk_create(building_rows, grids=building_grids)
        unit_rows: list[Area] = []
        unit_layout: list[tuple[int, int, int]] = []
        for building, (units, floors, per_floor, take) in zip(buildings, layouts, strict=True):
            base, extra = divmod(take, units)
            for u in range(units):
                wanted = base + (1 if u < extra else 0)
                if wanted == 0:
                    continue
                unit_rows.append(Area(kind=AreaKind.UNIT, parent=building, name=f"{u + 1}单元"))
                unit_layout.append((floors, per_floor, wanted))
        units_created = areas_bulk_create(unit_rows)
        summary.areas = len(districts) + len(subdistricts) + len(communities) + len(grid_rows) + len(
            compound_rows) + len(buildings) + len(units_created)
        _log(f"  {len(buildings)} buildings, {len(units_created)} units", quiet)

        summary.households, summary.residents = _build_people(rng, namer, units_created, unit_layout,
                                                              compound_plans, quiet, seed=seed)
        summary.organisations = _build_organisations(rng, namer, districts, subdistricts, communities,
                                                     grids_by_community, compound_plans)
    _log(f"  {summary.households} households, {summary.residents} residents, "
         f"{summary.organisations} organisations", quiet)
    return summary


def _numbered(names: tuple[str, ...], i: int) -> str:
    return names[i % len(names)] + (_cn(i // len(names) + 1) if i >= len(names) else "")


_CN = "零一二三四五六七八九"


def _cn(n: int) -> str:
    if n < 10:
        return _CN[n]
    if n < 20:
        return "十" + (_CN[n % 10] if n % 10 else "")
    if n < 100:
        return _CN[n // 10] + "十" + (_CN[n % 10] if n % 10 else "")
    return str(n)


# --- households and people -------------------------------------------------------------------------------

_HOUSEHOLD_SIZES = (1, 2, 3, 4, 5)
_SIZE_CUM = list(_cumulative((25, 30, 25, 12, 8)))
_SPECIAL = (SpecialFamily.SUBSISTENCE, SpecialFamily.DISABLED, SpecialFamily.SOLITARY,
            SpecialFamily.EXTREME_HARDSHIP, SpecialFamily.BEREAVED, SpecialFamily.LOW_INCOME, SpecialFamily.MILITARY)


DEVELOPER_HELD = 0.03  # of the flats of one commercial compound per community: unsold or undelivered, empty
SECOND_PART = 0.02  # of the owners: a garage in their compound too


def _build_people(rng, namer, units, unit_layout, compound_plans, quiet, *, seed: int = SEED) -> tuple[int, int]:
    """Households, people and their exclusive parts as plain rows, inserted by the fast loader: a million residents
    in minutes."""
    kind_of_compound = {p.area.pk: p.kind for p in compound_plans}
    developer_compounds: dict[int, int] = {}  # community → its first commercial compound, where the developer holds
    for plan in compound_plans:
        if plan.kind == CompoundType.COMMERCIAL:
            developer_compounds.setdefault(plan.area.community_id, plan.area.pk)
    developer_compounds_ids = set(developer_compounds.values())
    # the parts draw from a generator of their own: the people stay those of the city before parts existed
    parts_rng = random.Random(seed + 1)
    garages: dict[int, int] = {}  # compound → garages numbered so far
    household_total = resident_total = 0
    pending: list[dict] = []

    def flush(households: list[dict]) -> int:
        for household, pk in zip(households, reserve_ids(Household, len(households)), strict=True):
            household["id"] = pk
        fast_insert(Household, households)
        people: list[dict] = []
        specials: list[tuple[int, str]] = []
        dwellings: list[tuple[dict, Decimal, dict | None, bool]] = []  # household, area, owner, developer-held
        for household in households:
            old = kind_of_compound[household["compound_id"]] in (CompoundType.OLD, CompoundType.WORK_UNIT)
            family, area, owned = _family(rng, namer, household, old)
            if household["compound_id"] in developer_compounds_ids and parts_rng.random() < DEVELOPER_HELD:
                # an unsold flat: nobody lives there (the family drawn for it is dropped, so that the others
                # are the same people whatever the developer holds)
                dwellings.append((household, area, None, True))
                continue
            dwellings.append((household, area, family[0][0] if owned else None, False))
            for person, special in family:
                if special:
                    specials.append((len(people), special))
                people.append(person)
        for person, pk in zip(people, reserve_ids(Resident, len(people)), strict=True):
            person["id"] = pk
        fast_insert(Resident, people)
        fast_insert(ResidentSpecialFamily, [{"resident_id": people[i]["id"], "kind": k} for i, k in specials])
        fast_insert(ExclusivePart, _parts(dwellings, parts_rng, garages))
        return len(people)

    for unit, (floors, per_floor, wanted) in zip(units, unit_layout, strict=True):
        made = 0
        place = {f"{kind}_id": getattr(unit, f"{kind}_id") for kind in PLACE_KINDS}
        for floor in range(1, floors + 1):
            for n in range(1, per_floor + 1):
                if made >= wanted:
                    break
                pending.append({"area_id": unit.pk, "room": f"{floor}{n:02d}", "position": floor * 100 + n,
                                **place})
                made += 1
        if len(pending) >= 4000:
            resident_total += flush(pending)
            household_total += len(pending)
            pending = []
            if household_total % 40000 < 4000:
                _log(f"  … {household_total} households, {resident_total} residents", quiet)
    if pending:
        resident_total += flush(pending)
        household_total += len(pending)
    return household_total, resident_total


def _parts(dwellings, rng, garages: dict[int, int]) -> list[dict]:
    """Each household's dwelling, numbered as its door, with its floor area: owned by the head where the family
    owns it (co-owners too: the head is the buyer of record), by nobody the registry holds where it rents, by the
    developer where unsold; and a garage (B1-023, 12–25 ㎡) for a few owners, in their compound."""
    rows = []
    for household, area, owner, developer_held in dwellings:
        place = {f"{kind}_id": household[f"{kind}_id"] for kind in PLACE_KINDS}
        rows.append({"household_id": household["id"], "kind": PartKind.DWELLING, "number": household["room"],
                     "measured_area": area, "contract_area": None, "owner_id": owner["id"] if owner else None,
                     "developer_held": developer_held, "note": "", **place})
        if owner is not None and rng.random() < SECOND_PART:
            compound = household["compound_id"]
            garages[compound] = garages.get(compound, 0) + 1
            garage_area = Decimal(rng.randrange(1200, 2501)) / 100
            rows.append({"household_id": household["id"], "kind": PartKind.GARAGE,
                         "number": f"B1-{garages[compound]:03d}", "measured_area": garage_area,
                         "contract_area": None, "owner_id": owner["id"], "developer_held": False, "note": "",
                         **place})
    return rows


def _person(rng, namer, household: dict, *, relation, tenure, age_lo, age_hi, gender=None, surname=None,
            lives_alone=False) -> dict:
    gender = gender or rng.choice("MF")
    born = _birth(rng, age_lo, age_hi)
    age = (TODAY - born).days // 365
    phone = "" if age < 14 else namer.landline() if age >= 75 and rng.random() < 0.4 else namer.mobile()
    person = {
        "household_id": household["id"], "name": (surname or namer.surname()) + namer.given(born, gender),
        "gender": gender, "birth_date": born, "phone": phone, "id_number": namer.id_number(born, gender),
        "relation": relation, "tenure": tenure, "lives_alone": lives_alone,
        "is_party_member": age >= 18 and rng.random() < (0.12 if age >= 60 else 0.06),
        "is_volunteer": 18 <= age <= 75 and rng.random() < 0.03,
    }
    for kind in PLACE_KINDS:
        person[f"{kind}_id"] = household[f"{kind}_id"]
    return person


def _family(rng, namer, household: dict, old_compound: bool) -> tuple[list[tuple[dict, str | None]], Decimal, bool]:
    """The people of a household (each with her special-family kind, for the head), the dwelling's floor area, and
    whether the family owns it (then the head is its buyer of record)."""
    size = _HOUSEHOLD_SIZES[_pick(rng, _SIZE_CUM)]
    renting = rng.random() < (0.12 if old_compound else 0.22)
    owner_tenure = Tenure.TENANT if renting else Tenure.OWNER
    area = Decimal(rng.randrange(3800 if old_compound else 6000, 9000 if old_compound else 16000)) / 100
    people: list[dict] = []
    if size == 1:
        elderly = rng.random() < (0.7 if old_compound else 0.45)
        head = _person(rng, namer, household, relation=Relation.HEAD, tenure=owner_tenure,
                       age_lo=62 if elderly else 23, age_hi=95 if elderly else 45, lives_alone=True)
        people.append(head)
    else:
        surname = namer.surname()
        senior = rng.random() < (0.45 if old_compound else 0.25)
        lo, hi = (58, 88) if senior else (28, 57)
        head_gender = rng.choice("MMMF")
        people.append(_person(rng, namer, household, relation=Relation.HEAD, tenure=owner_tenure, age_lo=lo,
                               age_hi=hi, gender=head_gender, surname=surname))
        people.append(_person(rng, namer, household, relation=Relation.SPOUSE, tenure=Tenure.FAMILY, age_lo=lo,
                              age_hi=hi, gender="F" if head_gender == "M" else "M"))
        for _ in range(size - 2):
            if senior:
                people.append(_person(rng, namer, household, relation=Relation.CHILD, tenure=Tenure.FAMILY,
                                      age_lo=25, age_hi=50, surname=surname))
            elif rng.random() < 0.75:
                people.append(_person(rng, namer, household, relation=Relation.CHILD, tenure=Tenure.FAMILY,
                                      age_lo=0, age_hi=22, surname=surname))
            else:
                people.append(_person(rng, namer, household, relation=Relation.PARENT, tenure=Tenure.FAMILY,
                                      age_lo=62, age_hi=92))
    if (owner_tenure == Tenure.OWNER and len(people) > 1 and people[1]["relation"] == Relation.SPOUSE
            and rng.random() < 0.3):
        people[1]["tenure"] = Tenure.OWNER  # co-owners: the head is the dwelling's buyer of record
    roll = rng.random()
    special = None
    if roll < 0.035:
        special = rng.choice(_SPECIAL)
        if special == SpecialFamily.SOLITARY and not people[0]["lives_alone"]:
            special = SpecialFamily.SUBSISTENCE
    return [(p, special if i == 0 else None) for i, p in enumerate(people)], area, owner_tenure == Tenure.OWNER


# --- organisations -----------------------------------------------------------------------------------


def _build_organisations(rng, namer, districts, subdistricts, communities, grids_by_community, compound_plans) -> int:
    orgs: list[Organisation] = []
    parents: list[int | None] = []  # index into orgs of each one's parent organisation
    links: list[tuple[int, Area, str]] = []  # (index into orgs, area, role)
    members: list[tuple[int, str, bool]] = []  # (index into orgs, post, is the contact)
    party_of_subdistrict: dict[int, int] = {}

    def org(kind, name, home, *, parent_index=None, serve=(), n_members=0, posts=POSTS_COMMITTEE) -> int:
        index = len(orgs)
        orgs.append(Organisation(kind=kind, name=name, home_area=home, contact_phone=namer.landline(),
                                 contact_name=namer.surname() + namer.given(date(1975, 1, 1), rng.choice("MF")),
                                 address=f"{home.name}服务中心" if home else ""))
        parents.append(parent_index)
        for area, role in serve:
            links.append((index, area, role))
        for i in range(n_members):
            members.append((index, posts[i % len(posts)], i == 0))
        return index

    for district in districts:
        for name, level in DEPARTMENTS:
            if level == "district":
                org(OrgKind.DEPARTMENT, f"{district.name}{name}", district, serve=[(district, PartnerRole.BACKER)],
                    n_members=2, posts=("科长", "联络员"))
    for sub in subdistricts:
        street = sub.name.removesuffix("街道")
        for name, level in DEPARTMENTS:
            if level == "subdistrict":
                org(OrgKind.DEPARTMENT, f"{street}{name}", sub, serve=[(sub, PartnerRole.BACKER)], n_members=2,
                    posts=("所长", "联络员"))
        for name in rng.sample(PARTNER_UNITS, 3):
            org(OrgKind.PARTNER_UNIT, f"{street}{name}", sub, serve=[(sub, PartnerRole.PARTNER)], n_members=1,
                posts=("联络人",))
        party_of_subdistrict[sub.pk] = org(OrgKind.PARTY_ORG, f"中共{sub.name}工作委员会", sub,
                                           serve=[(sub, PartnerRole.LEAD)], n_members=2, posts=POSTS_PARTY)
        for name in rng.sample(SOCIAL_ORGS, 3):
            org(OrgKind.SOCIAL_ORG, f"{street}{name}", sub, serve=[(sub, PartnerRole.SERVES)], n_members=2)

    # property companies: a few big ones serve many compounds, small ones one or two (002's eleven companies)
    n_companies = min(len(PROPERTY_BRANDS) * len(PROPERTY_SUFFIXES), max(11, len(compound_plans) // 6))
    companies = [org(OrgKind.PROPERTY_COMPANY,
                     PROPERTY_BRANDS[i % len(PROPERTY_BRANDS)] + PROPERTY_SUFFIXES[i // len(PROPERTY_BRANDS)], None,
                     n_members=3, posts=POSTS_COMPANY)
                 for i in range(n_companies)]
    company_weights = list(_cumulative([1 / (i + 1) for i in range(len(companies))]))
    compounds_by_community: dict[int, list[_CompoundPlan]] = {}
    for plan in compound_plans:
        compounds_by_community.setdefault(plan.area.community_id, []).append(plan)

    for community in communities:
        party = org(OrgKind.PARTY_ORG, f"中共{community.name}委员会", community,
                    parent_index=party_of_subdistrict[community.subdistrict_id],
                    serve=[(community, PartnerRole.LEAD)], n_members=3, posts=POSTS_PARTY)
        committee = org(OrgKind.RESIDENTS_COMMITTEE, f"{community.name}居民委员会", community,
                        serve=[(community, PartnerRole.ORGANISER)], n_members=4)
        org(OrgKind.ENV_PROPERTY_COMMITTEE, f"{community.name}环境和物业管理委员会", community,
            parent_index=committee, serve=[(community, PartnerRole.SERVES)], n_members=3)
        org(OrgKind.MUTUAL_AID_STATION, f"{community.name}居民自治互助站", community, parent_index=committee,
            serve=[(community, PartnerRole.SERVES)], n_members=2, posts=("站长", "志愿者"))
        for name in rng.sample(VOLUNTEER_TEAMS, 2):
            org(OrgKind.VOLUNTEER_TEAM, f"{community.name}{name}", community,
                serve=[(community, PartnerRole.SERVES)], n_members=2, posts=("队长", "副队长"))
        for grid in grids_by_community[community.pk]:
            org(OrgKind.PARTY_ORG, f"{community.name}{grid.name}党支部", grid, parent_index=party,
                serve=[(grid, PartnerRole.LEAD)], n_members=1, posts=("支部书记",))
        plans = compounds_by_community.get(community.pk, [])
        if any(p.kind == CompoundType.OLD for p in plans):
            # 红管家: party-led stand-in steward for the old compounds with no property company (000)
            org(OrgKind.RED_STEWARD, f"{community.name}红管家服务队", community, parent_index=party,
                serve=[(community, PartnerRole.STEWARD)], n_members=2, posts=("队长", "队员"))
        for plan in plans:
            if plan.kind != CompoundType.OLD:
                company = companies[_pick(rng, company_weights)]
                links.append((company, plan.area, PartnerRole.STEWARD))
            if plan.kind == CompoundType.COMMERCIAL and rng.random() < 0.7:
                org(OrgKind.OWNERS_COMMITTEE, f"{plan.area.name}业主委员会", plan.area,
                    serve=[(plan.area, PartnerRole.OWNERS)], n_members=5, posts=("主任", "副主任", "委员"))

    created = Organisation.objects.bulk_create(orgs, batch_size=1000)
    with_parent = [o for o, p in zip(created, parents, strict=True) if p is not None]
    for o, p in zip(created, parents, strict=True):
        if p is not None:
            o.parent_id = created[p].pk
    Organisation.objects.bulk_update(with_parent, ["parent"], batch_size=1000)
    # 大手拉小手 (000): each small company is paired with one of the three biggest, which backs it
    small = [created[index] for index in companies[3:]]
    for rank, company in enumerate(small):
        company.paired_with_id = created[companies[rank % 3]].pk
    Organisation.objects.bulk_update(small, ["paired_with"], batch_size=1000)
    seen = set()
    rows = []
    for index, area, role in links:
        key = (created[index].pk, area.pk, role)
        if key not in seen:
            seen.add(key)
            rows.append(OrganisationArea(organisation_id=key[0], area_id=area.pk, role=role))
    OrganisationArea.objects.bulk_create(rows, batch_size=2000)
    OrganisationMember.objects.bulk_create(
        [OrganisationMember(organisation_id=created[i].pk, post=post, is_contact=contact,
                            name=namer.surname() + namer.given(date(1978, 1, 1), rng.choice("MF")),
                            phone=namer.mobile())
         for i, post, contact in members],
        batch_size=2000,
    )
    return len(created)
