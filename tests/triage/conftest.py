"""A small labelled set in the shared data's form, and settings that point triage at it and at a model folder
of the test's own."""
import csv

import pytest

from gongzhi.triage import loaded, places

# segmented like the shared train.csv (words separated by spaces, no punctuation, no stop words)
LABELLED = {
    "电梯": ["电梯 停运 老人 上下楼 困难", "电梯 困 人 半小时 维修", "电梯 门 关不严 晃", "电梯 故障 停 好几天",
             "单元 电梯 坏 没人 修", "电梯 异响 害怕 坐"],
    "垃圾": ["垃圾桶 满 没人 清运", "垃圾站 臭味 好几天 没 清", "楼下 垃圾 堆积 苍蝇", "垃圾 清运 不及时 臭",
             "建筑 垃圾 堆 楼下", "垃圾 分类 桶 满溢"],
    "噪音": ["楼下 商铺 音响 太吵", "工地 夜间 施工 噪音", "广场舞 音响 吵 晚上", "饭店 排风机 噪音 大",
             "凌晨 打桩 噪音 睡不着", "酒吧 音乐 吵 半夜"],
}


@pytest.fixture
def shared_data(tmp_path, settings, db):
    """train.csv (18 messages, three labels mapped to three catalogue categories) and a fresh model folder."""
    from gongzhi.appeals.models import Category
    from gongzhi.triage.models import LabelMapping

    folder = tmp_path / "shared"
    folder.mkdir()
    with (folder / "train.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "title", "body", "label"])
        n = 0
        for label, bodies in LABELLED.items():
            for body in bodies:
                writer.writerow([f"t-{n}", "", body, label])
                n += 1
    for label, code in (("电梯", "property-elevator"), ("垃圾", "sanitation-garbage"), ("噪音", "noise-business")):
        LabelMapping.objects.update_or_create(label=label, defaults={"category": Category.objects.get(code=code)})
    settings.GONGZHI = {**settings.GONGZHI, "TRIAGE": {**settings.GONGZHI["TRIAGE"], "DATA_DIR": folder,
                                                       "MODEL_DIR": tmp_path / "models", "MIN_EXAMPLES": 3}}
    return folder


@pytest.fixture(autouse=True)
def _fresh_triage():
    """The loaded model and the place indexes are per process: a rolled-back test must not leave its own."""
    loaded.forget()
    places.forget()
    yield
    loaded.forget()
    places.forget()
