"""A year of appeals for the demo city, in every state, so the queue and the figures are alive on first start.

Deterministic in content (seeded), placed relative to now: the open ones are recent, some of them overdue.
Written through the bulk loader with their whole timelines, every move through ``services.lifecycle`` (its table
of allowed moves, its clocks, its place columns): the demo's year follows the services' rules.
"""
from __future__ import annotations

import importlib
import random
from datetime import timedelta

from django.apps import apps as django_apps
from django.db import transaction
from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.accounts.services import verified_households
from gongzhi.core.db import fast_insert, reserve_ids
from gongzhi.registry.choices import PLACE_KINDS, AreaKind
from gongzhi.registry.models import Area, Resident

from . import routing, starter
from .choices import Action, Channel, Outcome, Priority, Rating, State, Step
from .models import Appeal, AppealEvent, Category
from .services.lifecycle import appeal_numbers, clock, hours_for, place_columns, step, submitted_event_row
from .worktime import Calendar

# what residents say about each kind of trouble, in their own words; a demo appeal is one of these, sometimes
# with where and how long, so the triage classifier has the instance's own history to learn from
TEXTS = {
    "property-elevator": ["电梯经常停运，老人上下楼困难", "电梯又坏了，困了人半小时才有人来", "电梯门关不严，运行时晃得厉害"],
    "property-leak": ["楼顶漏水，雨天屋里滴水", "外墙渗水，卧室墙皮都泡起来了", "楼道水管漏水，地上一直是湿的"],
    "property-access": ["单元门禁坏了关不上", "小区道闸坏了，外来车辆随便进", "门禁卡刷不开，老人进不了门"],
    "property-lighting": ["楼道灯不亮，晚上看不见", "小区路灯坏了好几盏，晚上太黑", "地下车库的灯一直不亮"],
    "property-fees": ["物业费收费项目不清楚", "物业乱收停车管理费，没有公示", "物业费涨价没有征求业主意见"],
    "sanitation-garbage": ["垃圾桶满了没人清运", "垃圾站好几天没清，臭味很大", "装修垃圾堆在楼下没人拉走"],
    "sanitation-clutter": ["楼道里堆满杂物", "有人在楼梯间堆纸箱，堵住通道", "地下室堆了很多旧家具"],
    "sanitation-pests": ["小区有老鼠，希望消杀", "垃圾站附近蚊子苍蝇特别多", "楼里出现蟑螂，希望统一消杀"],
    "parking-disorder": ["车辆乱停堵住出口", "小区里车停得乱七八糟，救护车进不来", "有车长期占用人行道停放"],
    "parking-ebike": ["有人把电动车推上楼充电", "楼道里私拉电线给电动车充电", "电动车停在楼梯口充电很危险"],
    "heating-cold": ["暖气不热，屋里只有十几度", "供暖以后家里温度一直上不去", "暖气片冰凉，老人孩子受不了"],
    "heating-pipe": ["暖气管道漏水", "暖气阀门坏了关不上", "楼道里的供暖管子爆了"],
    "noise-construction": ["工地夜间施工太吵", "附近工地凌晨还在打桩", "道路施工噪音从早到晚不停"],
    "noise-business": ["楼下商铺音响声音太大", "楼下饭店排风机噪音太大", "广场舞音响太吵，晚上十点还不停"],
    "greening-trees": ["树枝挡住窗户需要修剪", "大树枝干快断了，怕砸到人", "树太高挡住阳光，希望修剪"],
    "greening-damage": ["绿地被人圈起来种菜", "有人砍了小区的树", "草坪被车压坏了"],
    "security-hazard": ["单元门口有陌生人徘徊", "小区围墙有个缺口，外人随便进出", "夜里有人撬车，希望加强巡逻"],
    "security-fire-lane": ["消防通道被车辆堵住", "消防通道上堆满杂物", "有人长期把车停在消防通道上"],
    "neighbours-dispute": ["邻居在楼道养狗", "邻居占用公共走廊放鞋柜", "和邻居因为晾衣服的事吵起来了"],
    "neighbours-noise": ["楼上装修噪音太大", "楼上每天半夜拖椅子跺脚", "隔壁家狗整夜叫"],
    "neighbours-leak": ["楼上漏水到我家，协商不成", "楼上卫生间渗水到我家天花板", "楼上洗衣机漏水泡了我家吊顶"],
    "repairs-road": ["小区路面坑洼", "小区主路塌了一个坑", "人行道地砖松动，老人容易绊倒"],
    "repairs-fitness": ["健身器材坏了", "小区健身器材生锈断了，怕孩子受伤", "乒乓球台坏了没人修"],
    "repairs-drain": ["下水道堵了返水", "雨水井堵了，一下雨就积水", "化粪池满了往外冒"],
    "epidemic-help": ["居家隔离需要买药", "需要上门核酸", "家里老人发烧，隔离在家没人照顾"],
}
OPENERS = ["", "", "你好，", "您好，我想反映一下，", "{place}", "{place}", "我家在{place}，"]
CLOSERS = ["", "", "，请尽快处理", "，已经好几天了", "，希望物业管一管", "，麻烦社区协调一下", "。谢谢！"]


def _problem(rng: random.Random, category: Category) -> str:
    return rng.choice(TEXTS.get(category.code, ["想了解老年卡怎么办理"]))


def _text(rng: random.Random, problem: str, area: Area) -> str:
    return (rng.choice(OPENERS).format(place=area.name) + problem + rng.choice(CLOSERS)).strip("，")


# replies as handlers write them: most say what was done, by whom and when; some only acknowledge, forward or
# send the resident elsewhere (the reply check's figures show which parties write those)
REPLIES = [
    (70, "您反映的“{problem}”，{party}已于{day}上门处理，现已解决。如仍有问题请再联系社区。"),
    (10, "您好，{day}{party}到现场查看了{problem}的情况，已安排维修，三天内修好，修好后会再告诉您。"),
    (10, "您反映的“{problem}”已处理。"),
    (6, "留言已收悉，已转相关部门处理。"),
    (4, "不属于我单位职责，请自行联系物业。"),
]


def seed_catalogue_if_flushed() -> None:
    if not Category.objects.exists():  # demo_city --reset flushes data that migrations seeded
        importlib.import_module("gongzhi.appeals.migrations.0003_catalogue").seed(django_apps, None)
        importlib.import_module("gongzhi.appeals.migrations.0009_city_categories").seed(django_apps, None)
        importlib.import_module("gongzhi.appeals.migrations.0024_intake_questions").seed_questions(django_apps, None)
        importlib.import_module("gongzhi.appeals.migrations.0026_repairs_facilities").create(django_apps, None)
        importlib.import_module("gongzhi.appeals.migrations.0027_property_water").create(django_apps, None)
        starter.seed(Category.objects.all())  # what triage learns each category from


class _Callers:
    """Adults with a mobile living in a compound, fetched once per compound: who phones 12345 or walks into
    the service station about it (the desk finds them in the ledger; the hotline only has name and number)."""

    def __init__(self, rng: random.Random):
        self.rng, self.by_compound = rng, {}

    def pick(self, compound_id: int | None) -> tuple[int, str, str] | None:
        if compound_id is None:
            return None
        if compound_id not in self.by_compound:
            self.by_compound[compound_id] = list(
                Resident.objects.filter(compound_id=compound_id, phone__startswith="1")
                .order_by("id").values_list("id", "name", "phone")[:300])
        found = self.by_compound[compound_id]
        return self.rng.choice(found) if found else None


@transaction.atomic
def build_appeals(count: int = 3000, seed: int = 20261123, quiet: bool = False) -> int:
    seed_catalogue_if_flushed()
    rng = random.Random(seed)
    now = timezone.now()
    calendar = Calendar.load(timezone.localdate(now - timedelta(days=366)), days=400)
    leaves = list(Category.objects.filter(parent__isnull=False).select_related("parent").order_by("id"))
    places = list(Area.objects.filter(kind__in=[AreaKind.COMPOUND, AreaKind.BUILDING]).order_by("id"))
    worker = User.objects.filter(username="worker").first()
    resident = User.objects.filter(username="resident").first()
    home = verified_households(resident).first() if resident else None
    routes: dict[tuple[int, int], tuple] = {}
    portal_left = 6
    # (compound, problem) → a recent appeal about it still open. A worker merges a report of the same problem, not
    # any problem of the same kind: merging 路灯坏了 into 物业费涨价 made the hotspots, which trust her merges,
    # group the two
    open_groups: dict[tuple[int, str], dict] = {}
    # trouble comes back: a compound's last problem is raised again by others for a few weeks (hotspots)
    troubles: dict[int, tuple] = {}
    again = random.Random(seed + 1)
    callers = _Callers(random.Random(seed + 2))
    appeals, events = [], []
    ids = reserve_ids(Appeal, count)
    created_times = sorted(now - timedelta(days=365 * rng.random() ** 1.6, minutes=rng.randint(0, 600))
                           for _ in range(count))
    for pk, created in zip(ids, created_times, strict=True):
        category = rng.choice(leaves)
        area = places[int(rng.paretovariate(1.1)) % len(places)]  # a few places have most of the trouble
        problem = _problem(rng, category)
        trouble = troubles.get(area.compound_id or area.pk)
        if trouble is not None and created - trouble[2] < timedelta(days=21) and again.random() < 0.4:
            category, problem = trouble[0], trouble[1]
        troubles[area.compound_id or area.pk] = (category, problem, created)
        roll = rng.random()
        channel = (Channel.HOTLINE if roll < 0.5 else Channel.DESK if roll < 0.75 else Channel.PATROL if roll < 0.9
                   else Channel.PORTAL)
        household = None
        reporter = None
        if channel == Channel.PORTAL and home is not None and now - created < timedelta(days=30) and portal_left:
            area, household, reporter = home.area, home, resident  # the demo resident's own few appeals
            portal_left -= 1
        elif channel == Channel.PORTAL:
            channel = Channel.DESK  # other residents have no accounts in the demo: they came to the desk
        urgent = category.priority == Priority.URGENT
        respond_due, respond_warn = clock(created, hours_for(category, Step.RESPOND), urgent=urgent, calendar=calendar)
        appeal = {
            "id": pk, "number": "", "channel": channel, "category_id": category.pk, "priority": category.priority,
            "state": State.SUBMITTED, "text": _text(rng, problem, area),
            "household_id": household.pk if household else None,
            "reporter_id": reporter.pk if reporter else None, "entered_by_id": worker.pk if worker else None,
            "proactive": channel == Channel.PATROL, "public": rng.random() < 0.4,
            "hotline_order_no": f"DEMO-{pk:08d}" if channel == Channel.HOTLINE else "",
            "respond_due_at": respond_due, "respond_warn_at": respond_warn, "created_at": created,
            "updated_at": created, **place_columns(area),
        }
        if channel in (Channel.HOTLINE, Channel.DESK):  # someone living there called or came in
            caller = callers.pick(area.compound_id)
            if caller is not None:
                appeal.update(contact_name=caller[1], contact_phone=caller[2],
                              resident_id=caller[0] if channel == Channel.DESK else None)
        staff = worker.pk if worker else None
        events.append(submitted_event_row(appeal, at=created, actor_id=None, data={}))
        age = now - created
        # how far it got: older appeals are finished, the last weeks' are still moving
        stage = 6 if age > timedelta(days=20) else rng.choice([0, 1, 2, 3, 4, 5, 6])
        t = created
        group = open_groups.get((area.compound_id or area.pk, problem))
        if stage <= 1 and group is not None and reporter is None and rng.random() < 0.6:
            # the same trouble reported again: the community merged it into the open one
            t = min(created + timedelta(minutes=rng.randint(10, 120)), now)
            appeal.update(parent_id=group["id"], updated_at=t)
            events.append(step(appeal, Action.MERGE, at=t, actor_id=staff, data={"into": group["id"]}))
            events.append(step(group, Action.MERGED_IN, at=t, actor_id=staff, data={"merged": pk}))
            appeals.append(appeal)
            continue
        if stage >= 1:
            late = rng.random() < 0.08
            t = respond_due + timedelta(hours=rng.randint(1, 20)) if late else created + (respond_due - created) * rng.random()
            t = min(t, now)  # nothing in the demo happened after now
            appeal["accepted_at"] = appeal["responded_at"] = t
            resolve_due, resolve_warn = clock(t, hours_for(category, Step.RESOLVE), urgent=urgent, calendar=calendar)
            appeal.update(resolve_due_at=resolve_due, resolve_warn_at=resolve_warn)
            events.append(step(appeal, Action.ACCEPT, at=t, actor_id=staff))
        party = None
        if stage >= 2:
            key = (category.pk, area.pk)
            if key not in routes:
                probe = Appeal(category=category, area=area, **{f"{k}_id": appeal[f"{k}_id"] for k in PLACE_KINDS})
                routes[key] = routing.route(probe) or (None, None)
            party, rule = routes[key]
            if party is not None:
                t = min(t + timedelta(minutes=rng.randint(5, 90)), now)
                appeal.update(party_id=party.pk, rule_id=rule.pk)
                events.append(step(appeal, Action.DISPATCH, at=t, actor_id=staff))
        if stage >= 3 and party is not None:
            t = min(t + timedelta(minutes=rng.randint(10, 240)), now)
            events.append(step(appeal, Action.TAKE, at=t, party_id=party.pk))
        if stage >= 4:
            span = appeal.get("resolve_due_at", t + timedelta(days=2)) - t
            t = min(t + span * (rng.random() * (1.3 if rng.random() < 0.1 else 0.95)), now)
            if rng.random() < 0.12:
                outcome = rng.choice([Outcome.NOT_OUR_RESPONSIBILITY, Outcome.EXPLAINED, Outcome.DUPLICATE,
                                      Outcome.WITHDRAWN])
                reason = "经核实，" + str(Outcome(outcome).label)
                appeal.update(outcome=outcome, reply=reason, closed_at=t)
                events.append(step(appeal, Action.CLOSE_UNRESOLVED, at=t, reason=reason))
            else:
                by = party if appeal["state"] == State.IN_PROGRESS else None
                weights = [w * (1 + (by.pk % 3 if by else 0) * (i >= 2)) for i, (w, _) in enumerate(REPLIES)]
                reply = rng.choices([r for _, r in REPLIES], weights)[0].format(
                    day=timezone.localtime(t).strftime("%m月%d日"), party=by.name if by else "社区工作人员",
                    problem=problem)
                appeal.update(reply=reply, resolved_at=t, resolved_by_id=by.pk if by else None)
                events.append(step(appeal, Action.RESOLVE, at=t, party_id=by.pk if by else None, reason=reply))
                rated_at = t + timedelta(hours=rng.randint(2, 100)) if stage >= 5 or age > timedelta(days=8) else now
                if rated_at < now:  # otherwise still waiting for her rating
                    t = rated_at
                    if rng.random() < 0.7:
                        rating = rng.choices([Rating.SATISFIED, Rating.BASICALLY, Rating.DISSATISFIED], [70, 22, 8])[0]
                        appeal.update(rating=rating, closed_at=t)
                        events.append(step(appeal, Action.RATE, at=t, data={"rating": rating}))
                    else:
                        appeal.update(closed_at=t)
                        events.append(step(appeal, Action.CLOSE, at=t, reason="超过评价期限，自动关闭"))
        appeal["updated_at"] = t
        appeals.append(appeal)
        if appeal["state"] in (State.ACCEPTED, State.DISPATCHED, State.IN_PROGRESS) and age < timedelta(days=20):
            open_groups[(area.compound_id or area.pk, problem)] = appeal
    # numbers by filing day, as they would have been given
    by_day: dict = {}
    for appeal in appeals:
        by_day.setdefault(timezone.localdate(appeal["created_at"]), []).append(appeal)
    for day, group in sorted(by_day.items()):
        numbers = appeal_numbers(timezone.make_aware(timezone.datetime.combine(day, timezone.datetime.min.time())),
                                 len(group))
        for appeal, number in zip(group, numbers, strict=True):
            appeal["number"] = number
    fast_insert(Appeal, appeals)
    for event, pk in zip(events, reserve_ids(AppealEvent, len(events)), strict=True):
        event["id"] = pk
    fast_insert(AppealEvent, events)
    if not quiet:
        print(f"  {len(appeals)} appeals, {len(events)} timeline events", flush=True)
    return len(appeals)

