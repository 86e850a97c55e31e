"""Triage reads the community's own catalogue: everyday messages get its categories, an unsure guess is not offered,
and the suggestions follow the catalogue when an administrator changes it."""
import csv
import json
from io import StringIO
from pathlib import Path

import numpy as np
import pytest
import time_machine
from django.core.management import CommandError, call_command

from gongzhi.appeals import services, starter
from gongzhi.appeals.choices import Channel, State
from gongzhi.appeals.models import Appeal, Category
from gongzhi.triage import loaded
from gongzhi.triage import text as triage_text
from gongzhi.triage.models import ClassifierModel
from gongzhi.triage.services import appeal_triage, classifier_refresh, classifier_train, suggest

MONDAY = "2026-11-23 10:00 +0800"
HELD_APART = [Path(__file__).resolve().parents[2] / "eval" / "catalogue" / name
              for name in ("everyday.csv", "second.csv")]
pytestmark = [pytest.mark.django_db, pytest.mark.clock(MONDAY)]


def desk(users, area, text_):
    with time_machine.travel(MONDAY, tick=False):
        return services.appeal_submit(channel=Channel.DESK, text=text_, area=area, actor=users("worker"),
                                      contact_phone="13800000000")


def family_of(suggestion) -> str:
    category = Category.objects.select_related("parent").get(pk=suggestion["category"])
    return (category.parent or category).code


def test_every_category_of_the_starting_catalogue_has_its_description_and_examples():
    for category in Category.objects.filter(is_active=True).prefetch_related("children"):
        if category.children.exists():  # a family learns through its subcategories
            assert category.description, category.code
            continue
        assert category.description and len(category.example_lines) >= 40, category.code


def test_the_held_apart_messages_are_not_training_examples():
    trained = {triage_text.normalize(line) for s in starter.read().values() for line in s.examples}
    for path in HELD_APART:
        with path.open(encoding="utf-8") as f:
            held = [triage_text.normalize(row["text"]) for row in csv.DictReader(f)]
        assert len(held) >= 250
        assert not (set(held) - {""}) & trained, path.name


EVERYDAY = [  # the one-liners, and others like them (none of them a training example)
    ("楼道的灯坏了", {"property"}),
    ("车棚顶棚被风刮坏", {"property", "repairs"}),
    ("电梯坏了", {"property"}),
    ("电悌又坏了，老人下不了楼", {"property"}),  # a homophone typo
    ("晚上十点了楼下广场舞音响还开这么大！！😡", {"noise", "neighbours"}),
    ("垃圾桶满了没人收", {"sanitation"}),
    ("有人把电动车推进电梯带回家充电", {"parking"}),
    ("暖气不热，家里才15度", {"heating"}),
    ("楼上天天半夜跺脚", {"neighbours", "noise"}),
    ("公司拖欠我三个月工资不给", {"labour"}),
]


def test_everyday_messages_get_the_catalogue_s_categories(shared_data, world, users):
    classifier_train(data_dir=shared_data)
    wrong = []
    for message, accepted in EVERYDAY:
        triage = appeal_triage(appeal=desk(users, world.compound, message))
        families = [s["family"] for s in triage.suggestions]
        assert len(set(families)) == len(families) == 3  # three different families to choose from
        if family_of(triage.suggestions[0]) not in accepted:
            wrong.append((message, family_of(triage.suggestions[0])))
    assert not wrong


def test_an_unsure_guess_is_not_offered_as_a_one_click_accept(shared_data, world, users, login, settings):
    classifier_train(data_dir=shared_data)
    settings.GONGZHI = {**settings.GONGZHI, "TRIAGE": {**settings.GONGZHI["TRIAGE"], "AUTO_APPLY": 1.01}}
    worker = login("worker")
    for message in ("你好", "在吗？", "😀😀😀", "有个事", "喂喂", "你们管不管啊", "那个事怎么样了"):
        appeal = desk(users, world.compound, message)
        triage = appeal_triage(appeal=appeal)
        appeal.refresh_from_db()
        assert not triage.applied and appeal.state == State.SUBMITTED
        panel = worker.get(f"/staff/appeals/{appeal.pk}/").content.decode().split('id="triage-h"')[1]
        panel = panel.split("</section>")[0]
        assert "机器拿不准" in panel and "受理</button>" not in panel, message
    sure = desk(users, world.compound, "3号楼电梯又坏了，困了两个人")
    appeal_triage(appeal=sure)
    panel = worker.get(f"/staff/appeals/{sure.pk}/").content.decode().split('id="triage-h"')[1].split("</section>")[0]
    assert "机器拿不准" not in panel and "按“物业管理/电梯”受理</button>" in panel


def test_a_new_category_is_suggested_after_the_administrator_adds_it(shared_data, world, users, settings):
    first = classifier_train(data_dir=shared_data)
    assert classifier_refresh() is None  # nothing changed: no training
    family = Category.objects.get(code="neighbours")
    pets = Category.objects.create(
        parent=family, code="neighbours-pets", name="养犬管理", position=850,
        description="小区里养狗：不拴绳、不清理粪便、夜里狗叫、大型犬、没有办证",
        examples="\n".join(["遛狗不拴绳", "小区草坪上全是狗屎", "楼下的狗天天半夜叫", "邻居养了条大狼狗吓人",
                            "狗在电梯里撒尿没人管", "有人遛狗不牵绳还凶人", "狗粪便到处都是没人清理",
                            "烈性犬在小区里乱跑", "养狗不办证", "狗把小孩咬伤了"]))
    settings.GONGZHI = {**settings.GONGZHI, "TRIAGE": {**settings.GONGZHI["TRIAGE"], "DATA_DIR": shared_data}}
    second = classifier_refresh()  # the clock's job, within a minute of the change
    assert second is not None and second.version == first.version + 1 and pets.pk in second.classes
    triage = appeal_triage(appeal=desk(users, world.compound, "12号楼有人遛狗从来不牵绳"))
    assert triage.suggestions[0]["category"] == pets.pk

    pets.name = "宠物管理"  # renamed: retrained, the same category
    pets.save()
    assert classifier_refresh().version == second.version + 1
    pets.is_active = False  # retired (merged into 邻里矛盾): never suggested again, even before retraining
    pets.save()
    appeal = desk(users, world.compound, "有人遛狗不拴绳")
    assert pets.pk not in [s["category"] for s in appeal_triage(appeal=appeal).suggestions]
    assert pets.pk not in classifier_refresh().classes


def test_eval_catalogue_prints_top1_and_top3_and_refuses_unknown_codes(shared_data, tmp_path):
    data = tmp_path / "mine.csv"
    data.write_text("text,accept\n楼道的灯坏了,property\n垃圾没人收,sanitation;environment\n"
                    "电梯困人了,物业管理\n公司不给交社保,Labour\n", encoding="utf-8")
    out = StringIO()
    call_command("triage_eval_catalogue", "--data", str(data), stdout=out)
    lines = {line["name"]: line for line in map(json.loads, out.getvalue().splitlines())}
    assert lines["triage.catalogue_top1"]["n"] == 4 and lines["triage.catalogue_top1"]["value"] >= 0.75
    assert lines["triage.catalogue_top3"]["value"] == 1.0
    data.write_text("text,accept\n楼道的灯坏了,lighting\n", encoding="utf-8")
    with pytest.raises(CommandError, match="lighting"):
        call_command("triage_eval_catalogue", "--data", str(data), stdout=StringIO())
    assert not ClassifierModel.objects.exists()  # an evaluation changes nothing in use
    assert loaded.current() == (None, None)


def test_the_starter_words_fill_empty_categories_and_replace_only_when_asked():
    lighting = Category.objects.get(code="property-lighting")
    starter_lines = lighting.example_lines
    Category.objects.filter(pk=lighting.pk).update(examples="")
    Category.objects.filter(code="property-leak").update(examples="我们自己写的例句")
    call_command("catalogue_starter", stdout=StringIO())
    lighting.refresh_from_db()
    assert lighting.example_lines == starter_lines  # an empty one is filled…
    assert Category.objects.get(code="property-leak").examples == "我们自己写的例句"  # …an edited one is kept
    call_command("catalogue_starter", "property-leak", "--replace", stdout=StringIO())
    assert "我们自己写的例句" not in Category.objects.get(code="property-leak").examples


def test_a_refresh_already_training_the_same_catalogue_is_not_started_twice(shared_data, settings):
    from django.core.cache import cache

    from gongzhi.triage.services import catalogue_digest

    settings.GONGZHI = {**settings.GONGZHI, "TRIAGE": {**settings.GONGZHI["TRIAGE"], "DATA_DIR": shared_data}}
    cache.add(f"triage-refresh:{catalogue_digest()}", True)  # another worker is training it
    assert classifier_refresh() is None and not ClassifierModel.objects.exists()
    cache.clear()  # it died: the lock lapses
    assert classifier_refresh().version == 1


class Scores:
    """A classifier's answer for one text, fixed: what ``suggest`` makes of it is the point, not the model."""

    def __init__(self, scores: dict[int, float]):
        self.labels = [str(pk) for pk in scores]
        self._scores = list(scores.values())

    def scores(self, texts):
        return np.array([self._scores])


def test_a_family_is_offered_itself_when_none_of_its_categories_holds_half_of_it():
    parents = {1: None, 11: 1, 12: 1, 13: 1, 2: None, 21: 2, 3: None}
    # 物业太差了: the family is likely, no one of its categories is
    [first, second, third] = suggest(Scores({11: 0.27, 12: 0.2, 13: 0.14, 21: 0.3, 3: 0.09}), "物业太差了", parents)
    assert (first["category"], first["score"], first["family_score"]) == (1, 0.61, 0.61)
    assert (second["category"], third["category"]) == (21, 3)
    # 电梯坏了: one category holds the family
    [first, *_] = suggest(Scores({11: 0.8, 12: 0.05, 21: 0.15}), "电梯坏了", parents)
    assert (first["category"], first["score"], first["family_score"]) == (11, 0.8, 0.85)
    assert first.get("readable", True)
    # 你们管不管啊 is 管 once the formulas and stop words are gone: however sure the model, nothing to read
    [first, *_] = suggest(Scores({11: 0.99, 21: 0.01}), "你们管不管啊", parents)
    assert first["readable"] is False


def test_after_a_person_decided_the_panel_tells_what_the_machine_said_not_what_she_chose(
        shared_data, world, users, login, settings):
    classifier_train(data_dir=shared_data)
    worker = login("worker")
    settings.GONGZHI = {**settings.GONGZHI, "TRIAGE": {**settings.GONGZHI["TRIAGE"], "AUTO_APPLY": 1.01}}
    suggested = desk(users, world.compound, "3号楼电梯又坏了，困了两个人")
    appeal_triage(appeal=suggested)
    with time_machine.travel(MONDAY, tick=False):
        services.appeal_accept(appeal=suggested, actor=users("worker"),
                               category=Category.objects.get(code="property-elevator"))
    panel = worker.get(f"/staff/appeals/{suggested.pk}/").content.decode().split('id="triage-h"')[1]
    panel = panel.split("</section>")[0]
    assert "登记时已选择" not in panel and "机器当时的分类建议" in panel and "受理</button>" not in panel

    settings.GONGZHI = {**settings.GONGZHI, "TRIAGE": {**settings.GONGZHI["TRIAGE"], "AUTO_APPLY": 0.0}}
    applied = desk(users, world.compound, "3号楼电梯又坏了，困了两个人")
    assert appeal_triage(appeal=applied).applied
    other = Category.objects.get(code="other")
    with time_machine.travel(MONDAY, tick=False):
        services.appeal_reclassify(appeal=Appeal.objects.get(pk=applied.pk), category=other, actor=users("worker"),
                                   reason="其实是咨询")
    panel = worker.get(f"/staff/appeals/{applied.pk}/").content.decode().split('id="triage-h"')[1]
    assert "已按“物业管理/电梯”自动分类" in panel and "工作人员已更正为“其他”" in panel


def test_the_catalogue_has_two_levels():
    from django.core.exceptions import ValidationError

    lift = Category.objects.get(code="property-elevator")
    lift.parent = lift
    with pytest.raises(ValidationError, match="自己"):
        lift.full_clean()
    lift.parent = Category.objects.get(code="sanitation-garbage")
    with pytest.raises(ValidationError, match="两级"):
        lift.full_clean()
    family = Category.objects.get(code="sanitation")
    family.parent = Category.objects.get(code="property")
    with pytest.raises(ValidationError, match="下面已有类别"):
        family.full_clean()
