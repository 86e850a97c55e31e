"""Hotspots: appeals about one problem at one place are grouped and ranked; a community turns one into a task for
its grid workers; residents back public appeals (我也遇到)."""
from datetime import datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from gongzhi.accounts.choices import BindingStatus
from gongzhi.accounts.models import HouseholdBinding
from gongzhi.accounts.services import verified_households
from gongzhi.appeals import services
from gongzhi.appeals.choices import Channel
from gongzhi.appeals.models import Appeal, AppealSupport, Category
from gongzhi.core.errors import InvalidInput, NotPermitted
from gongzhi.triage import hotspots as hs
from gongzhi.triage.models import Hotspot
from gongzhi.triage.services import hotspot_task, hotspots_refresh

MONDAY = "2026-11-23 10:00:00.123456 +0800"
pytestmark = [pytest.mark.django_db, pytest.mark.clock(MONDAY)]
T0 = datetime(2026, 11, 1, 9, 0)


def row(i, text, place=1, days=0, reporter=None, supports=0, parent=None):
    return hs.Row(id=i, bucket=(place, 0), text=text, at=T0 + timedelta(days=days), reporter=reporter or f"p{i}",
                  supports=supports, parent=parent)


# a month of other appeals elsewhere: how common a character pair is (IDF) is learnt from the period's appeals
BACKGROUND = [row(100 + i, text, place=50 + i) for i, text in enumerate(
    ["小区门口垃圾没人清运", "楼道灯不亮了请物业修", "电梯经常停运困人", "小区停车位被外来车辆占用", "楼上漏水到我家",
     "广场舞音响太吵影响休息", "小区绿化带被毁种菜", "物业费收费不合理", "暖气不热家里很冷", "下水道堵塞污水外溢",
     "东门外的道路坑洼不平", "小区充电车位不够用", "门禁卡失灵进不了门", "外墙瓷砖脱落很危险", "冒烟的烧烤摊油烟扰民"])]


def test_the_same_problem_at_the_same_place_is_one_group_and_other_places_are_not():
    rows = [row(1, "东门外充电桩起火冒烟，太危险了"), row(2, "小区东门外的充电桩又起火冒烟了"),
            row(3, "东门充电桩起火冒烟没人管"), row(4, "东门外充电桩起火冒烟，太危险了", place=2),
            row(5, "楼上装修噪音太大"), row(6, "完全不同的一句话", parent=5), *BACKGROUND]
    groups = [sorted(rows[k].id for k in g) for g in hs.group(rows)]
    assert [1, 2, 3] in groups
    assert [4] in groups  # the same words at another compound are another problem
    assert [5, 6] in groups  # merged by a worker: one group whatever the wording


def test_unrelated_problems_written_around_the_same_formula_are_not_one_group():
    rows = [row(1, "您好，我想反映一下，外墙渗水，卧室墙皮都泡起来了，希望物业管一管"),
            row(2, "您好，我想反映一下，小区道闸坏了，外来车辆随便进，希望物业管一管"),
            row(3, "您好，我想反映一下，乒乓球台坏了没人修，希望物业管一管"),
            row(4, "你好，小区主路塌了一个坑，麻烦社区协调一下"),
            row(5, "你好，乒乓球台坏了没人修，已经好几天了。谢谢！"),
            row(6, "小区道闸坏了，外来车辆随便进，请尽快处理")]
    groups = sorted(sorted(rows[k].id for k in g) for g in hs.group(rows))
    assert groups == [[1], [2, 6], [3, 5], [4]]


def test_heat_counts_people_more_than_repeats_and_rewards_support_and_growth():
    one_person = [row(i, "东门充电桩起火冒烟", reporter="same", days=i) for i in range(1, 5)]
    four_people = [row(10 + i, "西门路灯不亮晚上很黑", place=2, days=i) for i in range(1, 5)]
    single_backed = [row(20, "北门台阶塌了老人摔倒", place=3, supports=5, days=3)]
    lonely = [row(30, "南门树枝挡住了路", place=4, supports=1)]
    found = hs.hotspots(one_person + four_people + single_backed + lonely + BACKGROUND, end=T0 + timedelta(days=5))
    by_first = {g.ids[0]: g for g in found}
    assert by_first[11].heat > by_first[1].heat  # four people outrank one person writing four times
    assert 20 in by_first  # one appeal that five neighbours backed is a hotspot
    assert 30 not in by_first  # one appeal and one supporter is not
    assert found[0].ids[0] == 11
    growing = hs.heat(reporters=3, appeals=3, supports=0, recent=3, before=0)
    fading = hs.heat(reporters=3, appeals=3, supports=0, recent=0, before=3)
    assert growing > fading


def test_a_hotspot_is_named_by_its_problem_not_the_greeting():
    assert hs.headline("您好，我想反映一下，电梯门关不严。运行时晃得厉害") == "电梯门关不严"
    assert hs.headline("你好！我要投诉：楼下烧烤油烟太大") == "楼下烧烤油烟太大"
    assert hs.headline("您好") == "您好"  # nothing else to name it by


def test_odd_texts_group_without_errors():
    rows = [row(1, ""), row(2, "😀😀"), row(3, "電梯壞了" * 5000), row(4, "电梯坏了"), row(5, "a")]
    groups = hs.group(rows)
    assert sorted(i for g in groups for i in g) == [0, 1, 2, 3, 4]
    # a place whose only texts are shorter than a stop word (人 begins 人行横道)
    assert sorted(hs.group([row(1, "人"), row(2, "")])) == [[0], [1]]


def desk(users, area, text, phone):
    return services.appeal_submit(channel=Channel.DESK, text=text, area=area, actor=users("worker"),
                                  contact_phone=phone)


@pytest.fixture
def charger(world, users):
    """Three people at the desk about the burning charger of one compound."""
    with time_machine.travel(MONDAY, tick=False):
        return [desk(users, world.compound, t, p) for t, p in (
            ("东门外充电桩起火冒烟，太危险了", "13800000001"), ("小区东门外的充电桩又起火冒烟了", "13800000002"),
            ("东门充电桩起火冒烟，请尽快处理", "13800000003"))]


def refresh(area=None):
    return hotspots_refresh(scope=area, now=timezone.now() + timedelta(hours=1))


def test_a_community_sees_its_hotspot_and_turns_it_into_a_task_for_its_grid_workers(world, charger, users, login):
    same = charger
    with time_machine.travel(MONDAY, tick=False):
        run = refresh(world.community)
        hotspot = next(h for h in Hotspot.objects.filter(run=run) if same[0].pk in h.appeal_ids)
        assert set(hotspot.appeal_ids) >= {a.pk for a in same}
        assert (hotspot.appeals, hotspot.reporters) == (3, 3) and hotspot.place_id == world.compound.pk
        assert hotspot.first_at == hotspot.last_at == same[0].created_at  # to the microsecond
        page = login("worker").get("/staff/hotspots/")
        assert page.status_code == 200 and hotspot.title in page.content.decode()
        assert same[1].number in page.content.decode()
        assert login("resident").get("/staff/hotspots/").status_code == 403

        answer = login("worker").post(f"/staff/hotspots/{hotspot.pk}/task")
        task = Appeal.objects.get(pk=Hotspot.objects.get(pk=hotspot.pk).task_id)
        assert answer.status_code == 302 and answer["Location"].endswith(f"/appeals/{task.pk}/")
        assert task.proactive and task.channel == Channel.PATROL and task.area_id == world.compound.pk
        assert same[0].number in task.text and "3" in task.text and world.compound.name in task.text
        assert hotspot_task(hotspot=hotspot, actor=users("worker")).pk == task.pk  # once
        # the compound lies in one grid: the task is that grid's, and the community's workers see it too
        assert task.grid_id == world.other_grid_same_community.pk
        assert task.number in login("worker").get("/staff/appeals/?state=submitted").content.decode()
        assert task.number not in login("gridworker").get("/staff/appeals/?state=submitted").content.decode()
        # the next run still knows the task, and the city's run too; the task is not one more report of it
        for again in (refresh(world.community), refresh()):
            continued = Hotspot.objects.get(run=again, task=task)
            assert task.pk not in continued.appeal_ids and continued.appeals == 3


def _task_of(world, users, area, texts):
    """Desk appeals about one problem at ``area``, a community run, and the task made of their hotspot."""
    with time_machine.travel(MONDAY, tick=False):
        filed = [desk(users, area, t, f"1390000000{k}") for k, t in enumerate(texts)]
        run = refresh(world.community)
        hotspot = next(h for h in Hotspot.objects.filter(run=run) if filed[0].pk in h.appeal_ids)
        return hotspot_task(hotspot=hotspot, actor=users("worker"))


def test_appeals_naming_their_compound_are_grouped_by_problem_not_by_the_name(world, users):
    name = world.compound.name
    with time_machine.travel(MONDAY, tick=False):
        lift = [desk(users, world.compound, f"{name}{t}", f"1370000000{k}") for k, t in enumerate(
            ("电梯经常停运", "电梯经常停运，老人上下楼困难"))]
        light = [desk(users, world.compound, f"{name}{t}", f"1360000000{k}") for k, t in enumerate(
            ("楼道灯不亮", "楼道灯不亮，晚上看不见"))]
        run = refresh(world.community)
    found = [set(h.appeal_ids) for h in Hotspot.objects.filter(run=run)]
    assert {a.pk for a in lift} in found and {a.pk for a in light} in found


GATE = ("小区北门道闸坏了车辆进不去", "北门道闸又坏了，车进不去", "北门的道闸坏了好几天没人修")


def test_a_hotspot_task_reaches_the_grid_workers_of_its_place(world, users, login):
    from gongzhi.notifications.models import Notification
    from gongzhi.registry.models import Area

    mine = next(c for c in Area.objects.filter(kind="compound", community=world.community).order_by("id")
                if set(Area.objects.filter(compound=c, kind="building").values_list("grid_id", flat=True))
                == {world.my_grid.pk})
    task = _task_of(world, users, mine, GATE)
    assert task.area_id == mine.pk and task.grid_id == world.my_grid.pk
    assert task.number in login("gridworker").get("/staff/appeals/?state=submitted").content.decode()
    note = Notification.objects.get(user=users("gridworker"), key=f"hotspot-task:{task.pk}")
    assert task.number in note.title and note.link == f"/staff/appeals/{task.pk}/"

    # every appeal in one building: the task is at that building
    building = Area.objects.filter(compound=world.compound, kind="building").order_by("id").first()
    task = _task_of(world, users, building, ["3号楼电梯困人，半小时才出来", "3号楼电梯又困人了", "3号楼电梯困人没人管"])
    assert task.area_id == building.pk and task.grid_id == building.grid_id
    page = login("worker").get(f"/staff/appeals/{task.pk}/").content.decode()
    assert f"{world.compound.name}{building.name}" in page  # the building said with its compound, and the grid
    assert Area.objects.get(pk=building.grid_id).name in page


def test_a_compound_across_grids_leaves_its_task_to_no_single_grid(world, users, login):
    from gongzhi.notifications.models import Notification
    from gongzhi.registry.models import Area
    from gongzhi.registry.services import area_create

    compound = world.compound
    first = Area.objects.filter(compound=compound, kind="building").order_by("id").first()
    other = Area.objects.filter(kind="grid", community=world.community).exclude(pk=first.grid_id).first()
    nine = area_create(actor=users("secretary"), kind="building", name="新建9号楼", parent=compound, grid=other)
    ten = area_create(actor=users("secretary"), kind="building", name="新建10号楼", parent=compound, grid=other)
    task = _task_of(world, users, compound, GATE)
    assert task.area_id == compound.pk and task.grid_id is None
    assert task.number in login("worker").get("/staff/appeals/?state=submitted").content.decode()
    # no single grid: every grid worker whose grid covers part of the compound finds it in her queue (a grid is
    # drawn over buildings; docs/appeals.md), but none is told it is hers
    assert task.number in login("gridworker").get("/staff/appeals/?state=submitted").content.decode()
    assert not Notification.objects.filter(key=f"hotspot-task:{task.pk}").exists()

    # but when everyone behind the hotspot lives in one of its grids, that grid takes it
    with time_machine.travel(MONDAY, tick=False):
        filed = [desk(users, b, t, f"1370000000{k}") for k, (b, t) in enumerate(zip(
            (nine, ten, nine), ("南门路灯坏了晚上一片漆黑", "南门的路灯坏了，晚上很黑", "南门路灯不亮好几天了"), strict=True))]
        run = refresh(world.community)
        hotspot = next(h for h in Hotspot.objects.filter(run=run) if filed[0].pk in h.appeal_ids)
        assert hotspot.place_id == compound.pk and hotspot.appeals == 3
        task = hotspot_task(hotspot=hotspot, actor=users("worker"))
    assert task.area_id == compound.pk and task.grid_id == other.pk


def test_only_the_community_side_of_the_place_may_turn_a_hotspot_into_a_task(world, charger, login):
    with time_machine.travel(MONDAY, tick=False):
        run = refresh()
        hotspot = next(h for h in Hotspot.objects.filter(run=run) if charger[0].pk in h.appeal_ids)
        assert login("resident").post(f"/api/v1/hotspots/{hotspot.pk}/task").status_code == 404  # unseen: as absent
        assert Hotspot.objects.get(pk=hotspot.pk).task_id is None
        city = login("worker").get(f"/api/v1/hotspots?area={world.community.pk}").json()
        assert any(h["id"] == hotspot.pk and len(h["members"]) == 3 for h in city["hotspots"])
        assert login("worker").get(f"/api/v1/hotspots?area={world.other_community.pk}").status_code == 404
        made = login("worker").post(f"/api/v1/hotspots/{hotspot.pk}/task")
        assert made.status_code == 201 and Appeal.objects.get(pk=made.json()["id"]).proactive


def test_a_resident_backs_a_public_appeal_once_and_it_heats_the_hotspot(world, users, login):
    resident, newcomer = users("resident"), users("newcomer")
    HouseholdBinding.objects.filter(user=newcomer).update(status=BindingStatus.VERIFIED, decided_at=timezone.now())
    home = verified_households(resident).select_related("area").get()
    with time_machine.travel(MONDAY, tick=False):
        appeal = services.appeal_submit(channel=Channel.PORTAL, text="小区北门台阶塌了，老人摔倒", area=home.area,
                                        household=home, actor=resident, public=True,
                                        category=Category.objects.get(code="property"))
        appeal = services.appeal_accept(appeal=appeal, actor=users("worker"))  # on the board once accepted
        client = login("newcomer")
        board = f"/board/{appeal.community_id}/"
        assert "我也遇到" in client.get(board).content.decode()
        for _ in range(2):
            assert client.post(f"{board}{appeal.pk}/support").status_code == 302
        assert AppealSupport.objects.filter(appeal=appeal).count() == 1
        assert "已附议" in client.get(board).content.decode()
        with pytest.raises(InvalidInput):
            services.appeal_support(appeal=appeal, actor=resident)  # her own
        with pytest.raises(NotPermitted):
            services.appeal_support(appeal=appeal, actor=users("worker"))  # lives elsewhere (or nowhere)
        assert client.post(f"/api/v1/appeals/{appeal.pk}/support", {"support": False},
                           content_type="application/json").json() == {"supports": 0}
        assert client.post(f"/api/v1/appeals/{appeal.pk}/support", {"support": True},
                           content_type="application/json").json() == {"supports": 1}
        run = refresh(world.community)
    assert not any(appeal.pk in h.appeal_ids for h in Hotspot.objects.filter(run=run))  # one supporter is not heat


def test_a_hotspot_task_says_on_which_days_its_appeals_came_and_that_it_waits_to_be_taken(world, users, login):
    from gongzhi.registry.models import Area

    mine = next(c for c in Area.objects.filter(kind="compound", community=world.community).order_by("id")
                if set(Area.objects.filter(compound=c, kind="building").values_list("grid_id", flat=True))
                == {world.my_grid.pk})
    filed = []
    for k, (at, text) in enumerate(zip(("2026-11-18 23:30 +0800", "2026-11-19 00:30 +0800", "2026-11-19 08:00 +0800"),
                                       GATE, strict=True)):
        with time_machine.travel(at, tick=False):
            filed.append(desk(users, mine, text, f"1350000000{k}"))
    with time_machine.travel(MONDAY, tick=False):
        run = refresh(world.community)
        hotspot = next(h for h in Hotspot.objects.filter(run=run) if filed[0].pk in h.appeal_ids)
        page = login("worker").post(f"/staff/hotspots/{hotspot.pk}/task", follow=True).content.decode()
    task = Appeal.objects.get(pk=Hotspot.objects.get(pk=hotspot.pk).task_id)
    # three appeals less than a day apart, across midnight: two days, not "1天内"
    assert "11月18日至11月19日共3件诉求" in task.text and "天内" not in task.text
    # filed for the grid's workers, who were told; nobody has dispatched it
    assert task.state == "submitted" and task.party_id is None
    assert "已派发" not in page and f"已生成主动治理任务 {task.number}，待受理；已通知{world.my_grid.name}的网格员" in page


def test_the_place_reader_knows_a_two_character_compound_where_the_text_marks_it_as_a_place(world, users):
    from gongzhi.registry.services import area_create
    from gongzhi.triage import places

    name = "怡园"
    yiyuan = area_create(actor=users("secretary"), kind="compound", name=name, parent=world.community)
    # the hotspot task's own text, filed for that compound
    assert places.locate(f"【热点问题】{name}：车辆乱停堵住出口", within=yiyuan).area == yiyuan
    assert places.locate(f"{name}小区门口的路灯坏了", within=world.community).area == yiyuan
    # an ordinary word of two characters is not taken for a place
    assert places.locate(f"门口{name}的路灯坏了", within=world.community).area is None


def test_a_hotspot_with_more_appeals_than_listed_says_how_many_it_shows_of_how_many(world, charger, login,
                                                                                    monkeypatch):
    from gongzhi.triage import selectors as triage_selectors

    with time_machine.travel(MONDAY, tick=False):
        refresh(world.community)
        assert "查看 3 件诉求" in login("worker").get("/staff/hotspots/").content.decode()
        monkeypatch.setitem(triage_selectors.hotspots_for.__kwdefaults__, "appeals_each", 2)
        page = login("worker").get("/staff/hotspots/").content.decode()
        assert "查看最新 2 件（共 3 件）" in page and "查看 2 件诉求" not in page
