"""Personal data out of free text that is published (the public board, issue 21: minimum necessary).

A resident writes "我是3号楼2单元501的王阿姨，电话一三八一二三四五六七八，楼下京A12345天天堵消防通道"; the
public reads "我是3号楼2单元××室的某阿姨，电话***，楼下***天天堵消防通道". What is kept is what the problem
needs: the building and the unit, the gate, the lamp. What is removed is who and which door: names with an
honorific (张先生 → 某先生, 小刘 → 小某), the names the caller knows (the reporter's, the contact's), room numbers,
phone numbers (with separators, full-width, or in Chinese numerals as a caller reads them out), ID numbers,
e-mail, WeChat and QQ ids and car plates.

Rules, not a model: they err on the side of removing. A number the rules cannot place (a bare 501) is removed;
a date, a time, an amount with its unit, a floor or a building stays. ``scrub`` is the one function; everything
published goes through it, and the table in ``tests/core/test_scrubbing.py`` is its specification.
"""
import re

HIDDEN = "***"
ROOM = "××室"

# full-width digits and letters as a phone keyboard types them (１３８…, Ａ)
_FULL_WIDTH = {code: code - 0xFEE0 for first, last in ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A))
               for code in range(first, last + 1)}

# the common surnames (about 85% of people), less those that begin everyday words before an honorific or after
# 小/老 (安 保安大爷, 门 看门大爷, 卫 门卫大爷, 车 看车大爷, 管 管道师傅, 乐 音乐老师, 班 值班经理, 区 小区)
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付傅方邹熊孟秦邱侯江尹薛闫阎段雷龙黎史陶贺毛郝顾龚邵万覃武钱戴严莫孔汤康易乔"
    "赖文施洪辛柯庄章颜温樊葛殷倪鲁骆祝牛左包岳欧梅盛邢蒙聂柳翟焦"
)
_COMPOUND_SURNAMES = "欧阳|司马|诸葛|上官|东方|皇甫|令狐|慕容|尉迟|公孙|长孙|宇文|司徒|夏侯|端木"
_SURNAME = f"(?:{_COMPOUND_SURNAMES}|[{_SURNAMES}])"
# longest first: 老太太 before 老太, 叔叔 before 叔
_TITLES = ("先生 女士 小姐 太太 夫人 阿姨 大爷 大妈 大娘 大婶 大叔 大伯 大姐 大哥 奶奶 爷爷 婆婆 姥姥 姥爷 叔叔 伯伯 阿婆 "
           "老太太 老太 老汉 老伯 老头 老师 师傅 医生 护士 律师 经理 主任 书记 科长 所长 站长 队长 组长 楼长 警官 同志 "
           "姐 哥 嫂 姨 叔 婶")
_HONORIFICS = sorted(_TITLES.split(), key=len, reverse=True)
_HONORIFIC = "|".join(_HONORIFICS)
# words that begin with a surname's character and stand before a title in ordinary sentences (任何师傅都…,
# 马上让师傅来, 周末阿姨不上班, 白天大爷在): never taken for 任某师傅, 马某师傅
_WORDS = ("任何 马上 周末 周围 周边 周一 周二 周三 周四 周五 周六 周日 方便 高层 高龄 白天 黄色 江边 常常 "
          "万一 石头 文明 金属 钱包 龙头 毛病 叶子 武警 康复 温度 严重 包括 包裹 牛奶 左边 左右 易于 程序 许多 "
          "许可 何时 曾经 付款 段落 雷雨 林业 夏天 汤圆 施工 陶瓷 熊猫 高中 高楼 江南 金牌 石材 温州 严格")
_NOT_NAMES = frozenset(_WORDS.split())
# after 小 or 老, a surname's character that begins a word instead (小高层, 小黄车, 小程序, 老毛病, 养老金)
_NOT_DIMINUTIVE_NEXT = "层车区楼门店铺桌块子孩时学型件号码序库头病虾社圆扎灯同法表式末龄年伴板路打猫历客围勺罗"
# 小/老 before these only: the most common surnames, less those that are words after 小 (小钱, 小孔, 小康)
_DIMINUTIVE_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁沈姚卢"
    "姜崔钟谭陆汪范廖贾夏韦付方邹熊孟秦邱侯江尹薛段雷龙黎史陶贺毛郝顾龚邵武严汤乔赖")
_HAN = r"[\u4e00-\u9fff]"
_CN_DIGIT = "零〇○一二三四五六七八九幺两洞"

_PATTERNS: list[tuple[re.Pattern, object]] = []


def _rule(pattern: str, replacement, flags=0):
    _PATTERNS.append((re.compile(pattern, flags), replacement))


def _titled(match: re.Match) -> str:
    """王阿姨 → 某阿姨, 张伟先生 → 某先生; 任何师傅 stays."""
    surname, given, title = match.group("surname", "given", "title")
    if given and (surname + given) in _NOT_NAMES:
        return match.group(0)
    return "某" + title


def _said(match: re.Match) -> str:
    """我叫张伟 → 我叫某某; 我是高层住户 stays."""
    if (match.group("surname") + match.group("given")[0]) in _NOT_NAMES:
        return match.group(0)
    return match.group("lead") + "某某"


def _not_a_date(match: re.Match) -> str:
    """A run of digits long enough to be a phone, an ID or an account number; a date or a time stays."""
    text = match.group(0)
    digits = re.sub(r"\D", "", text)
    if re.fullmatch(r"(19|20)\d{2}[-/.年]\d{1,2}[-/.月]\d{1,2}日?", text.strip()):
        return text
    if len(digits) < 7:
        return text
    return HIDDEN


# e-mail, then WeChat and QQ ids (before names and numbers take parts of them)
_rule(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+", HIDDEN)
_rule(r"(微信号?|微信|[Vv][Xx]|QQ号?|[Qq]{2}号?)(\s*[:：是为]?\s*)[A-Za-z0-9_-]{5,20}", r"\1\2" + HIDDEN)
# car plates: 京A12345, 京A·12345, 沪B·D12345 and 粤BD12345 (new energy), 京A1234学
_rule(r"[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-HJ-NP-Za-hj-np-z]\s*[·•.\-]?\s*"
      r"(?=[A-Za-z0-9]{0,5}\d)[A-HJ-NP-Za-hj-np-z0-9]{5,6}[挂学警港澳]?(?![A-Za-z0-9])", HIDDEN)
# ID numbers (18 with a check character, or the old 15), spaces allowed between the groups
_rule(r"(?<![\dA-Za-z])\d{6}\s?(?:19|20)\d{2}\s?\d{4}\s?\d{3}[\dXx](?![\dA-Za-z])", HIDDEN)
_rule(r"(?<![\dA-Za-z])\d{15}(?![\dA-Za-z])", HIDDEN)
# phone numbers read out in Chinese numerals (一三八一二三四五六七八, 幺三九…): seven or more in a row
_rule(rf"(?:[{_CN_DIGIT}0-9][\s\-—－]?){{6,}}[{_CN_DIGIT}0-9](?![{_CN_DIGIT}十百千万亿])",
      lambda m: HIDDEN if re.search(f"[{_CN_DIGIT}]", m.group(0)) else m.group(0))
# rooms: 3-2-501 and 2-301 (building-unit-room), before the phones take the digits
_rule(r"(?<![\d\-])\d{1,3}\s*[-－—]\s*\d{1,2}\s*[-－—]\s*\d{2,4}(?![\d\-])", ROOM)
_rule(r"(?<![\d\-:：])\d{1,2}\s*[-－—]\s*\d{3,4}(?![\d\-:：])", ROOM)
# phone numbers with separators or a country code, landlines (010-65123456), and any other long number
_rule(r"(?<![\d])(?:\+?\s?86\s?[-—]?\s?)?(?:\(\s?0\d{2,3}\s?\)|（\s?0\d{2,3}\s?）)?\d(?:[\s\-—－.]?\d){6,}(?!\d)",
      _not_a_date)
# rooms: 501室, 1203号房, 3号楼2单元501, 3栋501, 501号 (not 3号楼, 12号院, 和平路100号)
_rule(r"(?<!\d)\d{3,4}\s*(?:室|房间|号房|房)", ROOM)
_rule(r"(?<=[单元楼栋幢座])\s*\d{3,4}(?:室|号|房)?(?![\d年月日时点分号层元块米平度个人次天斤辆户家多余kKmM%℃])",
      ROOM)
_rule(r"(?<![\d路街道巷里村第])\d{3,4}号(?![楼院线车位栋幢])", ROOM)
# a bare 501 ("住501"): a number of three or four digits that is no year, amount, count or measure
_rule(r"(?<![\d年月日号第.\-/:：])\d{3,4}(?![\d.\-/:：年月日时点分号楼栋幢层单元块米平度个人次天斤辆户家多余位台条根盏吨岁只瓶件套张"
      r"kKmMgG%℃元])", HIDDEN)
# names: with a title (王阿姨, 张伟先生, 欧阳女士; 班主任老师 is no 任老师), diminutives (小刘, 老王), and a name said
# outright (我叫张伟, 联系人：李明, 业主李明反映, 姓王的)
_rule(rf"(?P<surname>{_COMPOUND_SURNAMES}|(?<!主)任|[{_SURNAMES.replace('任', '')}])"
      rf"(?P<given>(?![的了是在和与跟找给说位个这那]){_HAN})??(?P<title>{_HONORIFIC})", _titled)
_rule(rf"(?<![养古元长遗敬尊从缩大])(?P<prefix>[小老])[{_DIMINUTIVE_SURNAMES}](?![{_NOT_DIMINUTIVE_NEXT}])",
      r"\g<prefix>某")
_rule(rf"(?P<lead>我叫|我是|本人|名叫|叫做|姓名[:：]?\s*|联系人[:：]?\s*|业主)(?P<surname>{_SURNAME})"
      rf"(?P<given>{_HAN}{{2}}(?=[^\u4e00-\u9fff]|$|[住在的是说反电家])|(?![住在的是，家我]){_HAN})", _said)
_rule(rf"(?<!百)姓(?!名){_SURNAME}", "姓某")


def scrub(text: str, names=()) -> str:
    """``text`` without the personal data the rules find; ``names`` are people the caller knows are on it (the
    reporter, the contact), removed wherever they appear, before the rules."""
    if not text:
        return ""
    text = text.translate(_FULL_WIDTH)
    for name in sorted({n.strip() for n in names if n and len(n.strip()) >= 2}, key=len, reverse=True):
        text = text.replace(name, "某某")
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text
