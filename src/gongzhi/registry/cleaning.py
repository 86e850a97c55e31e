"""Turning what a worker typed (a form, an API call, an Excel cell) into resident fields, or reasons why not.

Forms, the API and the ledger importer all call ``clean_resident_fields`` so that a row the importer
refuses is refused by the form too, with the same words. Floor areas belong to the exclusive parts, not to
residents: ``parse_area`` reads them for the ledger's 产权面积 column and the part services alike.
"""

import functools
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.utils import translation
from django.utils.translation import gettext as _

from gongzhi.core.errors import InvalidInput

from .choices import Gender, Relation, ResidentStatus, SpecialFamily, Tenure
from .validators import normalise_id_number, parse_id_number, validate_phone

RESIDENT_FIELDS = (
    "name", "gender", "birth_date", "phone", "id_number", "relation", "tenure", "lives_alone", "is_party_member",
    "is_volunteer", "status", "note",
)

_TRUE = {"1", "是", "y", "yes", "true", "t", "√", "✓", "x", "有"}
_FALSE = {"", "0", "否", "n", "no", "false", "f", "无", "-"}


@functools.cache
def _choice_lookup(choices_cls) -> dict[str, str]:
    """Code, Chinese label and English label → code. Ledgers are Chinese whatever the UI language is."""
    lookup = {code: code for code in choices_cls.values}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            lookup.update({str(label): code for code, label in choices_cls.choices})
    return lookup


def _choice(value, choices_cls, field: str, label: str) -> str:
    text = str(value).strip() if value is not None else ""
    if not text:
        return ""
    code = _choice_lookup(choices_cls).get(text)
    if code is None:
        allowed = "、".join(str(d) for _c, d in choices_cls.choices)
        raise InvalidInput(_("%(label)s只能是：%(allowed)s") % {"label": label, "allowed": allowed}, field=field,
                           code="choice")
    return code


def _bool(value, field: str, label: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower() if value is not None else ""
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise InvalidInput(_("%(label)s请填写“是”或“否”") % {"label": label}, field=field, code="boolean")


def parse_date(value, field: str = "birth_date") -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip().replace("年", "-").replace("月", "-").replace("日", "").replace("/", "-")
    text = text.replace(".", "-")
    for fmt in ("%Y-%m-%d", "%Y%m%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise InvalidInput(_("日期格式不正确，请写成 1950-03-07"), field=field, code="date")


def parse_special_families(value) -> list[str]:
    """``低保、残疾`` or ``["subsistence"]`` → codes. Separators: 、,，;；/ and spaces."""
    if value in (None, ""):
        return []
    if isinstance(value, list | tuple | set):
        items = [str(v) for v in value]
    else:
        text = str(value)
        for sep in ",，;；/ 　":
            text = text.replace(sep, "、")
        items = [t for t in text.split("、") if t.strip()]
    codes = []
    for item in items:
        code = _choice(item, SpecialFamily, "special_families", _("特殊家庭类别"))
        if code and code not in codes:
            codes.append(code)
    return codes


MAX_AREA = Decimal(100000)


def _area_messages(field: str) -> tuple[str, str]:
    """What is wrong with an area, in the words of where it was typed: the ledger's 产权面积 column or a part's form."""
    if field == "measured_area":
        return _("实测面积应为数字，单位平方米"), _("实测面积应在0到100000平方米之间")
    if field == "contract_area":
        return _("合同面积应为数字，单位平方米"), _("合同面积应在0到100000平方米之间")
    return _("产权面积应为数字，单位平方米"), _("产权面积应在0到100000平方米之间")


def parse_area(value, *, field: str = "floor_area") -> Decimal | None:
    """``86.5``, ``"86.5㎡"`` or ``"86.5平方米"`` → Decimal('86.50'); blank → None; otherwise InvalidInput on
    ``field`` (``floor_area``: the ledger's 产权面积; ``measured_area``, ``contract_area``: a part's)."""
    if value is None or str(value).strip() == "":
        return None
    not_a_number, out_of_range = _area_messages(field)
    text = str(value).replace("㎡", "").replace("平方米", "").strip()
    try:
        area = Decimal(text).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise InvalidInput(not_a_number, field=field, code="area") from None
    if not area.is_finite():
        raise InvalidInput(not_a_number, field=field, code="area")
    if area < 0 or area >= MAX_AREA:
        raise InvalidInput(out_of_range, field=field, code="area")
    return area


def clean_resident_fields(raw: dict, *, partial: bool = False) -> tuple[dict, list[tuple[str, str]]]:
    """Clean the resident fields present in ``raw``. Returns (cleaned, [(field, message), …]).

    With ``partial`` only the keys given are cleaned (an edit); otherwise missing keys get defaults.
    The ID number, when given, decides birth date and gender; a contradicting value is an error.
    """
    cleaned: dict = {}
    errors: list[tuple[str, str]] = []

    def present(key):
        return key in raw or not partial

    def attempt(key, fn):
        try:
            cleaned[key] = fn(raw.get(key))
        except InvalidInput as e:
            errors.append((e.field or key, str(e.message)))

    if present("name"):
        name = " ".join(str(raw.get("name") or "").split())
        if not name:
            errors.append(("name", _("姓名不能为空")))
        elif len(name) > 50:
            errors.append(("name", _("姓名不能超过50个字")))
        else:
            cleaned["name"] = name
    if present("gender"):
        attempt("gender", lambda v: _choice(v, Gender, "gender", _("性别")))
    if present("birth_date"):
        attempt("birth_date", parse_date)
    if present("phone"):
        attempt("phone", lambda v: validate_phone("" if v is None else str(v)))
    if present("id_number"):
        number = normalise_id_number("" if raw.get("id_number") is None else str(raw.get("id_number")))
        if number:
            try:
                facts = parse_id_number(number)
            except InvalidInput as e:
                errors.append(("id_number", str(e.message)))
            else:
                cleaned["id_number"] = facts.number
                if cleaned.get("birth_date") and cleaned["birth_date"] != facts.birth_date:
                    errors.append(("birth_date", _("出生日期与身份证号不一致")))
                elif "birth_date" in cleaned or not partial:
                    cleaned["birth_date"] = facts.birth_date
                if cleaned.get("gender") and cleaned["gender"] != facts.gender:
                    errors.append(("gender", _("性别与身份证号不一致")))
                elif "gender" in cleaned or not partial:
                    cleaned["gender"] = facts.gender
        else:
            cleaned["id_number"] = None
    if cleaned.get("birth_date") and cleaned["birth_date"] > date.today():
        errors.append(("birth_date", _("出生日期不能晚于今天")))
    if present("relation"):
        attempt("relation", lambda v: _choice(v, Relation, "relation", _("与户主关系")) or Relation.OTHER)
    if present("tenure"):
        attempt("tenure", lambda v: _choice(v, Tenure, "tenure", _("产权关系")) or Tenure.FAMILY)
    for key, label in (("lives_alone", _("独居")), ("is_party_member", _("党员")), ("is_volunteer", _("志愿者"))):
        if present(key):
            attempt(key, lambda v, key=key, label=label: _bool(v, key, label))
    if present("status"):
        attempt("status", lambda v: _choice(v, ResidentStatus, "status", _("状态")) or ResidentStatus.PRESENT)
    if present("note"):
        cleaned["note"] = str(raw.get("note") or "").strip()[:2000]
    if "special_families" in raw:
        attempt("special_families", parse_special_families)
    return cleaned, errors


def clean_or_raise(raw: dict, *, partial: bool = False) -> dict:
    cleaned, errors = clean_resident_fields(raw, partial=partial)
    if errors:
        field, message = errors[0]
        raise InvalidInput(message, field=field, code="invalid_resident")
    return cleaned
