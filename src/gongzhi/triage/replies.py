"""The reply check: before a handler's reply reaches the resident, how well does it answer the appeal?

Three scores of 0–2, the scales of the hand-labelled set in ``eval/replies/`` (``make eval-replies`` measures the
agreement), and the problems behind them, each a sentence the handler can act on:

- **relevance**: does the reply talk about what the appeal talks about? The share of the appeal's character
  pairs (stop words out, the title counted twice) found in the reply's substance, which is the reply without
  its greeting, "留言已收悉", the closing thanks and the signature date.
- **completeness**: does it say what was done or found (or give a concrete answer to a question), by which unit,
  and when (or what happens next and when)?
- **tone**: courteous and clear (2), boilerplate (1), or dismissive: a bare refusal, "视为无效", blaming or
  warning the resident (0).

A reply is **weak** when any score is 0, or when it only acknowledges, forwards, refuses or sends the resident
elsewhere. Pure functions over two texts: no model, no database, the same on a laptop and in a city.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from . import text as triage_text

# what the handler reads next to a weak reply, by problem
PROBLEMS = {
    "empty": _("答复没有实际内容"),
    "too_short": _("答复太简单：请写明做了什么、谁办的、什么时候办的"),
    "acknowledge": _("只说“已收悉”，没有回答居民的问题"),
    "forward": _("只说已转交其他单位，没有办理结果"),
    "refuse": _("只有拒绝或“不属于职责”，没有说明核查情况或该找谁"),
    "elsewhere": _("只让居民去别处咨询，没有帮他联系或说明办法"),
    "off_topic": _("答复和诉求说的不是一件事"),
    "no_action": _("没有说明做了什么或查到了什么"),
    "no_unit": _("没有说明由哪个单位或谁办理"),
    "no_time": _("没有说明什么时候办的，或下一步什么时候办"),
    "dismissive": _("语气生硬或指责居民，请改用平和的说法"),
}

GRADES = {0: _("差"), 1: _("一般"), 2: _("好")}

# the opening and closing formulas every office writes: not substance
_FORMULAS = re.compile(
    r"(?:网友|来信人|市民|居民|群众|尊敬的[^，,：:！!。]{0,12}|亲爱的[^，,：:！!。]{0,12})?[“\"「]?[A-Za-z0-9*＊]{0,24}[”\"」]?"
    r"(?:网友|同志|先生|女士)?[：:，,\s]*(?:您|你)好[！!，,。：:]?"
    r"|(?:您|你)?(?:的|于)?[^。，,！!]{0,30}(?:留言|来信|来电|信件|帖子|帖文|诉求|问题|反映)[^。，,！!]{0,6}(?:已)?(?:收悉|获悉|收到)[。，,！!；;]?"
    r"|(?:来信|留言)?(?:已)?收悉[。，,！!]?"
    r"|现(?:将|就|对)[^。！!：:]{0,30}(?:回复|答复|说明|介绍)如下[：:]?"
    r"|(?:再次|非常|十分|衷心|最后)?(?:感谢|谢谢)[^。！!]{0,40}(?:关心|支持|理解|监督|关注|信任|建议|留言|来信)[^。！!]{0,20}[。！!]?"
    r"|(?:特此|专此)?(?:回复|答复)[。！!]"
    r"|(?:祝您?|顺祝)[^。！!]{0,12}[。！!]?"
    r"|[（(]?(?:联系|咨询)?电话[：:][0-9０-９\-－—*＊]+[）)]?"
    r"|(?:^|(?<=[。！!.\s]))\d{4}\s*[年.\-/]\s*\d{1,2}\s*[月.\-/]\s*\d{1,2}\s*日?(?=\s|$)"  # a signature date, not 于…日
    r"|UU\d+|[*＊]{2,}"
)
_FORWARD = re.compile(r"已(?:转|转交|转至|转到|转给|交办|交由|批转|转请|移交|转送)[^。！!；;]{0,40}?"
                      r"(?:调查|核处|处理|办理|核实|核查|办复|答复|回复|落实|研究|部门)[^。！!；;]{0,16}[。！!；;]?")
_REFUSE = re.compile(r"不属于?(?:我|本)[^。，,！!]{0,8}(?:职责|职能|管辖|受理|业务|范围)|视为无效|无效(?:信件|留言)"
                     r"|已(?:进行过|作过|做过|多次)?(?:回复|答复)过|不予(?:受理|答复|回复)|无权(?:处理|管辖)|无管辖权")
_ELSEWHERE = re.compile(r"(?:请|建议|可)(?:您|你)?(?:直接|自行|另行)?(?:咨询|拨打|联系|致电|向|到|前往|通过|关注)")
_DISMISSIVE = re.compile(r"恶意|无理取闹|造谣|诬告|捏造|法律责任|后果自负|依法追究|不要再|请勿再|不得再|别再|纯属|歪曲|煽动|闹事"
                         r"|(?:你们|你|您)?自己(?:解决|处理|想办法)|不归我们管|与我们无关|跟我们没关系|少来"
                         r"|与事实不符|不实(?:信息|言论)")
_ACTION = re.compile(
    r"经(?:调查|核实|核查|了解|查|现场|研究|排查|检查|检测|测量|走访|协调|审核|比对|咨询)|据查|列入|纳入"
    r"|(?:已|已经|立即|及时|随即|当即|马上|均已|现已)(?:安排|组织|完成|处理|维修|修复|修好|清理|清运|整改|责令|督促|约谈|协调|联系|派"
    r"|下达|开展|查处|立案|拆除|更换|恢复|办理|解决|落实|疏通|补办|发放|退还|制止|取缔|收回|回访|上门|到场|赶到|处置|调解|封堵|张贴)"
    r"|现场|上门|责令|限期|整改|立案|查处|维修|修复|修好|清运|清理|疏通|更换|拆除|罚款|处罚|巡查|执法|检测|测量|调解|约谈|沟通|协商"
    r"|根据|按照|依据|规定|符合|不符合|条件|标准|需(?:要)?(?:提供|携带|办理|满足|向|到)|申请|可以?(?:到|向|凭|在|通过|申请|办理)"
)
_UNIT = re.compile(
    r"(?:我|本)(?:局|办|委|厅|街道|镇|乡|区|县|市|公司|中心|所|站|队|院|校|社区|单位|部门|处|科|会)"
    r"|[\u4e00-\u9fffA-Za-z0-9]{1,14}(?:局|厅|办事处|委员会|管委会|中心|公司|派出所|所|站|大队|中队|队|社区|居委会|村委会|物业|服务处|残联|指挥部"
    r"|政府|街道|医院|学校|部门|工作组|专班|网格员|师傅|工作人员|民警|书记|主任|经理)"
)
# when it was done: a day, or a word that places it in time
_WHEN = re.compile(
    r"\d{1,2}\s*月\s*\d{1,2}\s*[日号]|[一二三四五六七八九十]+月[一二三四五六七八九十]+[日号]"
    r"|今天|今日|昨天|昨日|近日|日前|当天|当日|次日|上午|下午|晚上|即日起|已于|立即|随即|当即"
)
# what happens next, and by when
_NEXT = re.compile(
    r"(?:\d+|[一二三四五六七八九十两]+)\s*(?:个)?(?:小时|日|天|周|个工作日|个月)(?:内|以内|之内)|将于|将在[^。，,]{0,8}(?:前|内|日)"
    r"|(?:月底|年底|月初|年初|本周|下周|本月|下月|明天|明年)(?:前|之前|内)?(?:完成|解决|修复|办结|到位|答复|处理)"
)
_CJK = re.compile(r"[\u4e00-\u9fff]")

# thresholds, chosen on the odd-numbered rows of the random sample in eval/replies/labels.csv
RELEVANT = 0.05  # share of the appeal's character pairs in the reply for relevance 2
RELATED = 0.02  # for relevance 1
SUBSTANTIAL = 12  # CJK characters of substance below which a reply says nothing
SHORT = 60  # a reply that only sends the resident elsewhere is this short
CLEAR = 40  # a courteous reply says at least this much (the labelled letters alone would pick 60; community replies are shorter)


@dataclass
class Check:
    relevance: int
    completeness: int
    tone: int
    weak: bool
    problems: list[str] = field(default_factory=list)
    overlap: float = 0.0

    @property
    def messages(self) -> list[str]:
        return [str(PROBLEMS[p]) for p in self.problems]

    @property
    def grades(self) -> list[tuple[str, int, str]]:
        """(what, score, its word) for a page."""
        return [(str(name), score, str(GRADES[score])) for name, score in
                ((_("相关性"), self.relevance), (_("完整性"), self.completeness), (_("语气"), self.tone))]

    def as_dict(self) -> dict:
        return {"relevance": self.relevance, "completeness": self.completeness, "tone": self.tone,
                "weak": self.weak, "problems": self.problems, "overlap": round(self.overlap, 3)}


def substance(reply: str) -> str:
    """The reply without greeting, acknowledgement, thanks, signature dates and ids."""
    return _FORMULAS.sub(" ", triage_text.clean(reply, limit=20000))


def _pairs(text: str) -> Counter:
    t = triage_text.drop_stopwords(triage_text.compact(text, limit=20000))
    return Counter(t[i:i + 2] for i in range(len(t) - 1))


def overlap(appeal: str, title: str, reply_substance: str) -> float:
    """Share of the appeal's distinct character pairs (the title's counted twice) that the reply uses."""
    wanted = Counter(dict.fromkeys(_pairs(appeal[:600]), 1))
    for pair in _pairs(title):
        wanted[pair] = 2
    if not wanted:
        return 1.0  # nothing to be relevant to: do not blame the reply
    found = set(_pairs(reply_substance))
    return sum(n for p, n in wanted.items() if p in found) / sum(wanted.values())


def check(reply: str, appeal: str, title: str = "") -> Check:
    """Score ``reply`` as an answer to the appeal (its text, and its title if it has one)."""
    body = substance(reply)
    size = len(_CJK.findall(body))
    rest = _FORWARD.sub(" ", body)
    rest_size = len(_CJK.findall(rest))
    problems: list[str] = []

    if rest_size < SUBSTANTIAL:  # nothing but formulas, a forwarding note, or a few words
        if _FORWARD.search(body):
            return Check(0, 0, 1, True, ["forward"])
        if re.search(r"收悉|获悉|收到", reply):
            return Check(0, 0, 1, True, ["acknowledge"])
        if not size:
            return Check(0, 0, 0, True, ["empty"])
        refuse = bool(_REFUSE.search(rest))
        tone = 0 if refuse or _DISMISSIVE.search(rest) else 1
        return Check(0, 0, tone, True, ["refuse" if refuse else "too_short"])

    refuse = bool(_REFUSE.search(rest))
    action = bool(_ACTION.search(rest))
    unit = bool(_UNIT.search(rest))
    when = bool(_WHEN.search(rest) or _NEXT.search(rest))
    elsewhere = bool(_ELSEWHERE.search(rest))

    share = overlap(appeal, title, rest)
    relevance = 2 if share >= RELEVANT else 1 if share >= RELATED else 0

    completeness = 2 if action and unit and when else 1 if action or unit or when else 0
    if refuse and rest_size < SHORT and not action:
        problems.append("refuse")
        completeness = 0
    elif elsewhere and rest_size < SHORT and not (action and unit):
        problems.append("elsewhere")
        completeness = 0

    courteous = size >= CLEAR and "您" in reply  # addresses the resident politely, and says enough to be clear
    tone = 0 if (refuse and rest_size < SHORT) or _DISMISSIVE.search(rest) else 2 if courteous else 1
    if relevance == 0:
        problems.append("off_topic")
    if completeness < 2:
        problems += [p for p, ok in (("no_action", action), ("no_unit", unit), ("no_time", when)) if not ok]
    if tone == 0 and "refuse" not in problems:
        problems.append("dismissive")
    weak = min(relevance, completeness, tone) == 0 or bool({"refuse", "elsewhere"} & set(problems))
    return Check(relevance, completeness, tone, weak, problems, share)
