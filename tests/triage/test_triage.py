"""The machine's first read of an appeal: category suggestions, the place, duplicates; and the system without
a model."""
import json
import unicodedata

import numpy as np
import pytest
import time_machine
from django.core.management import call_command

from gongzhi.appeals import services
from gongzhi.appeals.choices import Action, Channel, State
from gongzhi.appeals.models import Appeal, AppealEvent, Category
from gongzhi.registry.choices import AreaKind
from gongzhi.registry.models import Area
from gongzhi.triage import classifier, loaded, text
from gongzhi.triage.models import ClassifierModel, Triage
from gongzhi.triage.selectors import duplicate_candidates
from gongzhi.triage.services import _own_examples, appeal_triage, classifier_train, triage_pending
from tests.triage.conftest import LABELLED

MONDAY = "2026-11-23 10:00 +0800"
pytestmark = [pytest.mark.django_db, pytest.mark.clock(MONDAY)]


def desk(users, area, text_, **kw):
    return services.appeal_submit(channel=Channel.DESK, text=text_, area=area, actor=users("worker"),
                                  contact_phone="13800000000", **kw)


def with_auto_apply(settings, value):
    settings.GONGZHI = {**settings.GONGZHI, "TRIAGE": {**settings.GONGZHI["TRIAGE"], "AUTO_APPLY": value}}


def test_segmented_and_raw_text_read_the_same():
    raw = "您好！我们小区的電梯壞了，已經停了好幾天，老人上下樓困難。A市3号楼"
    segmented = "您好 小区 电梯 坏 已经 停 好几天 老人 上下楼 困难 市 号楼"  # as the shared data has it
    assert text.normalize(raw) == text.normalize(segmented)


@pytest.mark.parametrize("odd", ["", "   ", "😀😀😀🙏", "電梯壞了，物業不管", "The lift is broken 电梯坏了 help!!",
                                 "电梯坏了" * 25_000])
def test_odd_input_gets_scores_not_errors(shared_data, odd):
    model = classifier_train(data_dir=shared_data)
    version, clf = loaded.current()
    assert version == model.version
    [best] = clf.top([odd], k=3)
    assert len(best) == 3 and abs(clf.scores([odd])[0].sum() - 1) < 1e-6
    assert all(0 <= score <= 1 for _, score in best)
    if not text.normalize(odd):  # nothing to read: no label is preferred
        assert len({score for _, score in best}) == 1


def test_the_model_file_round_trips(shared_data, tmp_path):
    texts = [t for bodies in LABELLED.values() for t in bodies]
    labels = [label for label, bodies in LABELLED.items() for _ in bodies]
    model = classifier.fit(texts, labels)
    path = model.save(tmp_path / "m.npz")
    again = classifier.Classifier.load(path)
    probe = ["电梯又坏了", "垃圾没人清运", "楼下音响太吵"]
    assert again.top(probe) == model.top(probe)
    assert [best[0][0] for best in again.top(probe)] == ["电梯", "垃圾", "噪音"]
    (tmp_path / "bad.npz").write_bytes(b"not a model")
    with pytest.raises(ValueError):
        classifier.Classifier.load(tmp_path / "bad.npz")
    (tmp_path / "half.npz").write_bytes(path.read_bytes()[:1000])
    with pytest.raises(ValueError):
        classifier.Classifier.load(tmp_path / "half.npz")


def test_the_fast_scorer_gives_the_trained_pipelines_margins():
    texts = [t for bodies in LABELLED.values() for t in bodies]
    labels = [label for label, bodies in LABELLED.items() for _ in bodies]
    normalised = [text.normalize(t) for t in texts]
    pipeline = classifier.build_pipeline().fit(normalised, labels)
    model = classifier.Classifier.from_pipeline(pipeline)
    probe = [text.normalize(t) for t in ["电梯又坏了，物业不管", "楼下音响太吵", "垃圾", "xyz"] + texts]
    assert model.labels == list(pipeline.classes_)
    assert np.allclose(model.margins(probe), pipeline.decision_function(probe), atol=1e-6)
    assert np.allclose(model.margins(probe[:1]), pipeline.decision_function(probe[:1]), atol=1e-6)


def test_without_a_model_appeals_wait_for_a_person_and_the_page_says_why(world, users, login):
    assert not ClassifierModel.objects.exists()
    with time_machine.travel(MONDAY, tick=False):
        appeal = desk(users, world.compound, "电梯坏了")
    triage = appeal_triage(appeal=appeal)
    appeal.refresh_from_db()
    assert triage.suggestions == [] and not triage.applied
    assert appeal.state == State.SUBMITTED and appeal.category_id is None
    page = login("worker").get(f"/staff/appeals/{appeal.pk}/").content.decode()
    assert "还没有训练好的分类模型" in page


def test_low_confidence_waits_with_three_suggestions_a_sure_one_is_applied_and_dispatched(
        shared_data, world, users, login, settings):
    classifier_train(data_dir=shared_data)
    with_auto_apply(settings, 1.01)  # nothing is ever that sure
    with time_machine.travel(MONDAY, tick=False):
        unsure = desk(users, world.compound, "电梯停了，老人下不了楼")
    triage = appeal_triage(appeal=unsure)
    unsure.refresh_from_db()
    assert unsure.state == State.SUBMITTED and not triage.applied
    lift = Category.objects.get(code="property-elevator")
    assert [s["category"] for s in triage.suggestions][0] == lift.pk and len(triage.suggestions) == 3
    page = login("worker").get(f"/staff/appeals/{unsure.pk}/").content.decode()
    assert "机器把握不足" in page and page.count('name="category" value="') >= 3

    with_auto_apply(settings, 0.0)
    with time_machine.travel(MONDAY, tick=False):
        sure = desk(users, world.compound, "电梯停了，老人下不了楼")
    triage = appeal_triage(appeal=sure)
    sure.refresh_from_db()
    assert triage.applied and sure.category == lift
    assert sure.state == State.DISPATCHED and sure.party is not None  # the compound's property company
    by_machine = AppealEvent.objects.filter(appeal=sure, actor__isnull=True).values_list("action", "data")
    assert [a for a, _ in by_machine] == [Action.TRIAGE, Action.ACCEPT, Action.DISPATCH]
    assert appeal_triage(appeal=sure).pk == triage.pk  # once per appeal
    page = login("worker").get(f"/staff/appeals/{sure.pk}/").content.decode()
    assert "已按" in page and "自动分类" in page


def test_a_category_chosen_at_filing_is_not_asked_for_again(shared_data, world, users, login, settings):
    classifier_train(data_dir=shared_data)
    with_auto_apply(settings, 1.01)  # the machine is never sure
    drain = Category.objects.get(code="repairs-drain")
    with time_machine.travel(MONDAY, tick=False):
        chosen = desk(users, world.compound, "电梯停了，老人下不了楼", category=drain)
    triage = appeal_triage(appeal=chosen)
    chosen.refresh_from_db()
    assert chosen.state == State.SUBMITTED and chosen.category == drain and triage.suggestions
    page = login("worker").get(f"/staff/appeals/{chosen.pk}/").content.decode()
    assert "机器把握不足" not in page and f"登记时已选择类别“{drain}”" in page
    assert not any(f'name="category" value="{s["category"]}"><button' in page for s in triage.suggestions)


def test_a_worker_s_correction_becomes_training_data(shared_data, world, users, login, settings):
    classifier_train(data_dir=shared_data)
    with_auto_apply(settings, 1.01)  # a person chooses every category here
    with time_machine.travel(MONDAY, tick=False):
        appeals = [desk(users, world.compound, f"楼道里堆满纸箱杂物 第{i}次反映") for i in range(3)]
    clutter = Category.objects.get(code="sanitation-clutter")
    lift = Category.objects.get(code="property-elevator")
    worker = login("worker")
    for appeal in appeals:
        appeal_triage(appeal=appeal)
        services.appeal_accept(appeal=appeal, actor=users("worker"), category=lift)  # a slip…
        response = worker.post(f"/staff/appeals/{appeal.pk}/reclassify",
                               {"category": clutter.pk, "reason": "是楼道堆物"})
        assert response.status_code == 302
        appeal.refresh_from_db()
        assert appeal.category == clutter  # …put right
    assert AppealEvent.objects.filter(action=Action.RECLASSIFY, actor=users("worker")).count() == 3
    texts, labels, corrected = _own_examples()
    assert corrected == 3 and labels.count(str(clutter.pk)) == 3
    row = classifier_train(data_dir=shared_data)
    assert row.version == 2 and clutter.pk in row.classes and row.corrections == 3
    _version, model = loaded.current()
    assert model.top(["楼道里堆满纸箱杂物"])[0][0][0] == str(clutter.pk)


def test_a_wrong_category_cannot_be_set_by_someone_without_the_community_role(shared_data, world, users, login):
    with time_machine.travel(MONDAY, tick=False):
        appeal = desk(users, world.compound, "电梯坏了")
        services.appeal_accept(appeal=appeal, actor=users("worker"), category=Category.objects.get(code="property-elevator"))
    response = login("resident").post(f"/staff/appeals/{appeal.pk}/reclassify",
                                      {"category": Category.objects.get(code="noise-business").pk})
    appeal.refresh_from_db()
    assert response.status_code == 403 and appeal.category.code == "property-elevator"  # residents: no staff pages


def test_a_hotline_order_naming_a_compound_and_building_reaches_them(world, users, login):
    building = Area.objects.filter(kind=AreaKind.BUILDING, community=world.community).order_by("id").first()
    compound = building.parent
    with time_machine.travel(MONDAY, tick=False):
        appeal = desk(users, world.community, f"反映{compound.name}{building.name}的电梯坏了三天")
    triage = appeal_triage(appeal=appeal)
    appeal.refresh_from_db()
    assert triage.place_area_id == building.pk
    assert (appeal.area_id, appeal.compound_id, appeal.building_id) == (building.pk, compound.pk, building.pk)
    assert compound.name in triage.place["why"]
    page = login("worker").get(f"/staff/appeals/{appeal.pk}/").content.decode()
    assert "识别的地点" in page


def test_a_place_in_another_community_is_not_taken(world, users):
    mine = Area.objects.filter(kind=AreaKind.COMPOUND, community=world.community).values_list("name", flat=True)
    elsewhere = (Area.objects.filter(kind=AreaKind.COMPOUND).exclude(community=world.community)
                 .exclude(name__in=list(mine)).order_by("id").first())
    with time_machine.travel(MONDAY, tick=False):
        appeal = desk(users, world.community, f"{elsewhere.name}门口垃圾没人清")
    triage = appeal_triage(appeal=appeal)
    appeal.refresh_from_db()
    assert appeal.area_id == world.community.pk and triage.place_area_id is None


def test_a_duplicate_of_an_open_appeal_is_suggested_with_the_shared_words_marked(world, users, login):
    with time_machine.travel(MONDAY, tick=False):
        first = desk(users, world.compound, "小区东门的路灯坏了，晚上一片漆黑")
        desk(users, world.compound, "楼上装修噪音太大")
        second = desk(users, world.compound, "东门路灯坏了好几天，晚上很黑")
        found = duplicate_candidates(viewer=users("worker"), appeal=second)
    assert found[0].appeal == first and found[0].likely
    assert "路灯" in found[0].words and "<mark>路灯</mark>" in str(found[0].marked)
    assert len(found) == 1  # the noise upstairs reads nothing like it: not offered
    page = login("worker").get(f"/staff/appeals/{second.pk}/").content.decode()
    assert "<mark>路灯</mark>" in page
    assert Appeal.objects.get(pk=second.pk).state == State.SUBMITTED  # suggested, never merged by itself


def test_unrelated_appeals_of_the_same_compound_are_not_offered_and_filler_words_are_not_marked(world, users):
    with time_machine.travel(MONDAY, tick=False):
        unrelated = [desk(users, world.compound, t) for t in (
            "单元门禁坏了关不上，已经好几天了", "邻居在楼道养狗，已经好几天了", "你好，工地夜间施工太吵，麻烦社区协调一下")]
        alike = desk(users, world.compound, "3号楼楼道灯不亮，晚上看不见，麻烦社区协调一下")
        mine = desk(users, world.compound, "1号楼2单元三楼楼道灯坏了一个星期了，晚上看不见，请尽快修一下。")
        found = duplicate_candidates(viewer=users("worker"), appeal=mine)
    assert [d.appeal for d in found] == [alike]
    assert not {a.pk for a in unrelated} & {d.appeal.pk for d in found}
    assert "楼道" in found[0].words and not {"一下", "晚上", "协调", "社区"} & set(found[0].words)


def test_the_merge_box_offers_what_a_merge_is_allowed_into_and_says_so(world, users, login):
    with time_machine.travel(MONDAY, tick=False):
        resolved = desk(users, world.compound, "东门路灯坏了，晚上一片漆黑")
        closed = desk(users, world.compound, "东门路灯坏了，晚上很黑")
        mine = desk(users, world.compound, "东门的路灯坏了，晚上一片漆黑")
        Appeal.objects.filter(pk=resolved.pk).update(state=State.RESOLVED)
        Appeal.objects.filter(pk=closed.pk).update(state=State.CLOSED)
        found = duplicate_candidates(viewer=users("worker"), appeal=mine)
        assert [d.appeal.pk for d in found] == [resolved.pk]  # 已办结 waits for ratings: it may take a duplicate
        page = login("worker").get(f"/staff/appeals/{mine.pk}/").content.decode()
        services.appeal_merge(appeal=mine, into=found[0].appeal, actor=users("worker"))
    assert "办理中的同类诉求" not in page and "尚未关闭的同类诉求（办理中，或已办结待评价）" in page
    assert Appeal.objects.get(pk=mine.pk).parent_id == resolved.pk


def test_filing_triages_after_commit_and_the_sweep_catches_what_was_missed(shared_data, world, users,
                                                                           django_capture_on_commit_callbacks):
    classifier_train(data_dir=shared_data)
    with django_capture_on_commit_callbacks(execute=True), time_machine.travel(MONDAY, tick=False):
        filed = desk(users, world.compound, "垃圾站好几天没清")
    assert Triage.objects.filter(appeal=filed).exists()
    with time_machine.travel(MONDAY, tick=False):
        missed = desk(users, world.compound, "垃圾桶满了")  # its task never ran
    assert not Triage.objects.filter(appeal=missed).exists()
    assert triage_pending() >= 1 and Triage.objects.filter(appeal=missed).exists()


def test_with_workers_a_filing_waits_for_the_triage_sweep_not_in_the_request(
        shared_data, world, users, settings, django_capture_on_commit_callbacks):
    from gongzhi.triage.tasks import triage_pending_task

    classifier_train(data_dir=shared_data)
    settings.CELERY_TASK_ALWAYS_EAGER = False  # a broker: publishing one message per appeal would cost the request
    with django_capture_on_commit_callbacks(execute=True), time_machine.travel(MONDAY, tick=False):
        filed = desk(users, world.compound, "垃圾站好几天没清")
    assert not Triage.objects.filter(appeal=filed).exists()
    with time_machine.travel(MONDAY, tick=False):
        assert triage_pending_task() >= 1  # beat's run, every few seconds
    assert Triage.objects.filter(appeal=filed).exists()


def test_on_a_laptop_a_large_import_is_read_to_the_end_and_the_command_reads_what_a_budget_left(
        world, users, monkeypatch, django_capture_on_commit_callbacks, capsys):
    from gongzhi.appeals.hotline import hotline_import
    from gongzhi.triage import tasks
    from tests.appeals.test_hotline import xlsx

    monkeypatch.setattr(tasks, "PENDING_BATCH", 2)  # several batches out of a small file
    rows = [[f"BJ-{i:03}", "2026-11-20 09:12", f"第{i}单 垃圾没人清运", world.community.name, "", "", "", "", ""]
            for i in range(7)]
    with django_capture_on_commit_callbacks(execute=True):  # no broker: the import's request reads them all
        assert hotline_import(actor=users("worker"), data=xlsx(rows), file_name="a.xlsx").created == 7
    assert Triage.objects.filter(appeal__hotline_order_no__startswith="BJ-").count() == 7
    monkeypatch.setattr(tasks, "EAGER_BUDGET_S", 0)  # a file too large for one request: one batch, then stop
    rows = [[f"BJ-1{i:02}", "2026-11-20 09:12", f"第{i}单 噪音扰民", world.community.name, "", "", "", "", ""]
            for i in range(5)]
    with django_capture_on_commit_callbacks(execute=True):
        hotline_import(actor=users("worker"), data=xlsx(rows), file_name="b.xlsx")
    assert Triage.objects.filter(appeal__hotline_order_no__startswith="BJ-1").count() == 2
    call_command("triage_pending")  # cron's run, where there is no beat
    assert json.loads(capsys.readouterr().out) == {"triaged": 3}
    assert not Appeal.objects.filter(state=State.SUBMITTED, triage__isnull=True).exists()


def test_make_eval_prints_the_figures_as_json_lines(shared_data, tmp_path, capsys):
    holdout = tmp_path / "holdout.csv"
    holdout.write_text("id,title,body,label\nh1,电梯坏了,电梯又停了,电梯\nh2,,垃圾没人清运臭死了,垃圾\n"
                       "h3,,楼下酒吧音乐太吵,噪音\n", encoding="utf-8")
    call_command("triage_eval", data=str(holdout), train=str(shared_data / "train.csv"))
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [o["name"] for o in out] == ["triage.classify_macro_f1", "triage.classify_accuracy"]
    assert out[1]["value"] == 1.0 and out[0]["n"] == 3


def test_the_merge_box_scores_all_candidates_at_once_as_it_would_one_by_one():
    from gongzhi.triage import similar

    mine = "3号楼电梯坏了，困了人！"
    others = ["３号楼電梯壞了，困住了人", "5号楼电梯坏了", "", "😀", "a", "楼顶漏水，雨天屋里滴水", "电梯" * 2000,
              "Ａ\u0301ｂｃ　①②㎡"]
    fast = similar.cosines(mine, others)
    slow = [similar.cosine(similar.shingles(mine), similar.shingles(o)) for o in others]
    assert fast == pytest.approx(slow, abs=1e-12)
    assert fast[0] > fast[1] > fast[5] == 0 and similar.cosines("", others) == [0.0] * len(others)
    assert all(text.nfkc(t) == unicodedata.normalize("NFKC", t) for t in others + [mine])
