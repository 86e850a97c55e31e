"""Checks on the ledger's personal data. Messages are what a community worker reads (Chinese msgids)."""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.errors import InvalidInput

# GB 11643-1999: weights of the first 17 digits, and the check character for each remainder mod 11.
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
# Province-level prefixes of the administrative division code (GB/T 2260).
_PROVINCES = frozenset(
    {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54,
     61, 62, 63, 64, 65, 71, 81, 82, 83}
)
# ASCII digits only: \d also matches full-width and other scripts' digits, which made a second person of one
# ID number typed in full width (issue 21). Input is folded to ASCII (NFKC) before these are applied.
_ID_SHAPE = re.compile(r"^[0-9]{17}[0-9X]$")
_MOBILE = re.compile(r"^1[3-9][0-9]{9}$")
_LANDLINE = re.compile(r"^0[0-9]{2,3}-?[0-9]{7,8}(-[0-9]{1,6})?$")


def fold(value: str) -> str:
    """Full-width digits, letters, spaces and punctuation as their ASCII selves (NFKC): what a phone's Chinese
    keyboard types (１３８　１２３４ ５６７８, ４４０…Ｘ) is the same number as what a PC types."""
    return unicodedata.normalize("NFKC", value or "")


def id_check_char(first17: str) -> str:
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


@dataclass(frozen=True)
class IdFacts:
    number: str
    birth_date: date
    gender: str  # "M" / "F"


def normalise_id_number(value: str) -> str:
    return "".join(fold(value).split()).upper()


def parse_id_number(value: str) -> IdFacts:
    """Validate a resident identity card number and read its birth date and gender; raise InvalidInput."""
    number = normalise_id_number(value)
    if len(number) != 18:
        raise InvalidInput(_("身份证号应为18位，当前为%(n)d位") % {"n": len(number)}, code="id_number_length",
                           field="id_number")
    if not _ID_SHAPE.match(number):
        raise InvalidInput(_("身份证号只能包含数字，最后一位可以是X"), code="id_number_chars", field="id_number")
    if int(number[:2]) not in _PROVINCES:
        raise InvalidInput(_("身份证号前两位不是有效的省级代码"), code="id_number_region", field="id_number")
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidInput(_("身份证号中的出生日期无效"), code="id_number_birth", field="id_number") from None
    if born.year < 1890 or born > timezone.localdate():
        raise InvalidInput(_("身份证号中的出生日期无效"), code="id_number_birth", field="id_number")
    if id_check_char(number[:17]) != number[17]:
        raise InvalidInput(_("身份证号校验位不正确，请核对号码"), code="id_number_checksum", field="id_number")
    return IdFacts(number=number, birth_date=born, gender="M" if int(number[16]) % 2 else "F")


def normalise_phone(value: str) -> str:
    """Keep digits and one dash; drop +86, spaces and full-width characters people type."""
    text = fold(value).strip().translate(str.maketrans("—–‐", "---"))
    text = re.sub(r"[\s()]", "", text)
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("0086"):
        text = text[4:]
    digits = text.replace("-", "")
    if len(digits) == 11 and digits.startswith("1"):
        return digits  # a mobile written 138-1234-5678
    return text


def is_mobile(value: str) -> bool:
    return bool(_MOBILE.match(value or ""))


def validate_phone(value: str) -> str:
    phone = normalise_phone(value)
    if not phone:
        return ""
    if _MOBILE.match(phone) or _LANDLINE.match(phone):
        return phone
    raise InvalidInput(_("电话号码格式不正确：请填写11位手机号或带区号的固定电话"), code="phone_format", field="phone")
