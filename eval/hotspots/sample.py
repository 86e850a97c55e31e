"""Helpers behind eval/hotspots: find candidate duplicates to read, and draw pairs.csv.

Labels were assigned by reading the messages; nothing here decides a label.

    python sample.py candidates   # message pairs sharing long verbatim text (reading list)
    python sample.py places WORD  # every message whose title or body contains WORD
    python sample.py pairs        # rebuild pairs.csv from groups.csv (seed 20261123)

`pairs` only combines hand-made facts: the groups in groups.csv and the hand-written
PLACE / PROBLEM tables below, which list one message id per group (any member stands
for its group) sharing a place or a kind of problem.
"""

import collections
import csv
import itertools
import random
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
HOT = HERE.parents[2] / "shared" / "data" / "appeals" / "hot.csv"
SEED = 20261123

# Groups whose members share the place and broad problem but where a merge is
# debatable (several sub-complaints, or one chain with several branches): kept in
# groups.csv, but no positive pairs are drawn from them.
LOOSE = {"219715", "198961", "188467"}

# Hard negatives: groups at the same place with different problems (one id per group).
PLACE = {
    "丽发新城": "188809 254710 219174 264806 193091 265342",
    "万科魅力之城": "189381 198084 253314 232892 240330 283150",
    "涉外经济学院": "195917 235521",
    "财政经济学院": "211395 211800 264084",
    "A9市河隧道": "229426 270444",
    "凉塘路": "210366 217680 284907",
    "星沙商业乐园": "217139 199112",
    "润和紫郡/月亮岛路": "200480 235777 216689 218331 191699",
    "茶场村": "189093 238352",
    "中茂城": "190156 196348 289783 280718",
    "青青家园": "206379 206264 188260 209203",
    "景城苑": "228177 232037",
    "江山帝景": "190812 208669 199836 219454 212901 249262 289012 198225",
    "五矿万境K9县": "208069 275491",
    "五矿万境水岸": "212349 198961 283732",
    "万科金域蓝湾(晚报大道)": "243753 219715 214672",
    "兰亭湾畔": "190377 201930",
    "鑫天鑫城": "202049 192202",
    "珠江俪城": "215760 271091",
    "中海国际社区": "188059 205986 198132 250814 201210 217244 241859 199271 254636 197312 278781",
    "天健城": "213972 263320",
    "财富名园": "190669 240895",
    "润芳园/看云路": "192337 285077 278211 217423",
    "裕园小区": "211394 193509",
    "松雅西地省站": "193286 199639",
    "长房云时代": "220857 188592 228616 221996",
    "万坤图": "272350 281854",
    "恒基凯旋门": "188887 211058 190019",
    "泉塘中学": "248495 284056",
    "阿普阿布": "194523 221287",
    "兴汝金城二期": "210513 194186 259606 236712",
    "云开一品": "198446 223693",
    "才子佳郡": "207887 257989 266112 285578",
    "绿地海外滩二期": "191951 238400",
    "银杏嘉园9栋": "207165 196832",
    "恒大江湾": "198418 226020 226254 265260",
    "北辰中央公园": "244762 258714",
    "恒泰楚壹府": "221993 217164 271381",
    "万国城(A4区)": "248350 215928 201727",
    "刘家冲路": "214141 200576 236318",
    "嘉顺苑": "206087 197122",
    "圣力华苑": "190346 211978",
    "泉星公园": "226408 193337 253331",
    "星沙联络线": "244779 198673",
    "恒大翡翠华庭": "218303 206197 289107 238568 282304 234476 196806 265296",
    "M9县城": "202866 196475 217286 257111",
    "楚绣城": "285102 267755 229436",
    "德政园": "264429 283011",
    "好望谷": "243626 197453",
    "灰埠大市场": "218587 232381",
    "山水嘉园": "276055 204594",
    "鑫源和诚": "258308 210101",
    "南苑花园": "222872 257952",
    "丁家岭": "268997 248415",
    "保利花园三期/北辰": "235010 244762",
}

# Hard negatives: groups with the same kind of problem at different places.
PROBLEM = {
    "搅拌站/搅拌车": "188809 229426 256379",
    "捆绑销售车位": "188801 258295",
    "住宅楼下餐饮油烟噪音": "189381 192337 233931 192338 190377 217139 272350 262990 206379 243753 196832 216689 283011 232037",
    "学校强制实习": "195917 255719 262477",
    "夜间施工": "256379 213972 188059 221782 244762 221993 248350 196797 219808 231430 228018 216788 241417 200576 256461 234943 265260 266112 250814",
    "P2P平台": "194343 197782 207791 191311 198855",
    "高压线/变电站": "200480 220627 195252 192140 264018 189587 222757 248942 266131 285578 188396",
    "小区旁开医院": "194022 249870 218776",
    "麻将馆": "215760 198493 215928 200718 204985 264429 260364 222872 245742 258308 276055 270996 261631 256460 192478 198750 268997 285102 243626 218587 206197",
    "幼儿园收费/学位": "188887 228616 218303 198132 201727 249262",
    "垃圾站": "188592 272117 283732 219174 267755 232381 208618",
    "停水/水压": "207887 197122 202049 206264 282304 218331",
    "房屋质量开裂渗水": "198084 238400 208069 220857 206087 204531 199836 214672 259606 235010",
    "拖欠工资": "198911 213186",
    "闲置地块规划": "233542 261625 190669",
    "公园迟迟不建": "216349 193337 236318",
    "地铁出入口": "193286 199639 223718 188409",
    "拆迁久拖": "189093 210366 201447",
    "子女入学学位": "253314 212349 198418 221287 221996 253725 205960",
    "产权证": "190485 190346 198446 281854 238568",
    "飙车/车辆噪音": "197619 270444 244779 265159 229426",
    "道路停工未修": "254710 205986 217680 194302 236712 214141",
    "电梯故障": "207165 196806 191699",
    "楼盘虚假宣传/调规": "210513 198111 200586",
    "楼盘停工烂尾": "218315 284924 223693",
}


def load_hot():
    with HOT.open(encoding="utf-8") as f:
        return {r["id"]: r for r in csv.DictReader(f)}


def squeeze(text):
    return re.sub(r"\s+", "", text)


def candidates(width=25, step=7):
    """Pairs of messages sharing at least two verbatim 25-character pieces."""
    rows = load_hot()
    where = collections.defaultdict(set)
    for i, r in rows.items():
        body = squeeze(r["body"])
        for k in range(0, max(1, len(body) - width), step):
            where[body[k:k + width]].add(i)
    shared = collections.Counter()
    for ids in where.values():
        if 1 < len(ids) < 6:
            for a, b in itertools.combinations(sorted(ids), 2):
                shared[a, b] += 1
    for (a, b), n in sorted(shared.items()):
        if n >= 2:
            print(a, b, n, squeeze(rows[a]["title"]), "||", squeeze(rows[b]["title"]), sep="\t")


def places(word):
    rows = load_hot()
    for i, r in sorted(rows.items(), key=lambda x: x[1]["created_at"]):
        if word in r["title"] + r["body"]:
            print(i, r["created_at"][:10], squeeze(r["title"]), squeeze(r["body"])[:200], sep="\t")


def positives_per_group(size):
    if size == 2:
        return 1
    if size == 3:
        return 2
    if size <= 6:
        return 3
    if size <= 15:
        return 4
    return 6


def pairs():
    rng = random.Random(SEED)
    with (HERE / "groups.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    members = collections.defaultdict(list)
    group_of = {}
    for r in rows:
        members[r["group"]].append(r["id"])
        group_of[r["id"]] = r["group"]
    loose = {group_of[i] for i in LOOSE}
    out = {}

    def add(a, b, label):
        key = tuple(sorted((a, b), key=int))
        out.setdefault(key, label)

    for g in sorted(members):
        ids = sorted(members[g], key=int)
        if len(ids) < 2 or g in loose:
            continue
        combos = list(itertools.combinations(ids, 2))
        for a, b in rng.sample(combos, positives_per_group(len(ids))):
            add(a, b, 1)

    def cross(table, cap):
        for name in sorted(table):
            groups = [group_of[i] for i in table[name].split()]
            combos = list(itertools.combinations(groups, 2))
            for ga, gb in rng.sample(combos, min(cap, len(combos))):
                add(rng.choice(members[ga]), rng.choice(members[gb]), 0)

    cross(PLACE, 8)
    cross(PROBLEM, 8)
    tagged = collections.defaultdict(set)
    for table in (PLACE, PROBLEM):
        for name, ids in table.items():
            for i in ids.split():
                tagged[group_of[i]].add(name)
    groups = sorted(members)
    easy = 0
    while easy < 60:
        ga, gb = rng.sample(groups, 2)
        if tagged[ga] & tagged[gb]:
            continue
        before = len(out)
        add(rng.choice(members[ga]), rng.choice(members[gb]), 0)
        easy += len(out) - before
    with (HERE / "pairs.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["a", "b", "duplicate"])
        for (a, b), label in sorted(out.items(), key=lambda x: (int(x[0][0]), int(x[0][1]))):
            w.writerow([a, b, label])
    pos = sum(out.values())
    print(f"{len(out)} pairs, {pos} positive, {len(out) - pos} negative")


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "pairs"
    if command == "candidates":
        candidates()
    elif command == "places":
        places(sys.argv[2])
    else:
        pairs()
