from datetime import date

import pytest

from gongzhi.core.errors import InvalidInput
from gongzhi.core.masking import mask_id_number, mask_phone
from gongzhi.registry.validators import id_check_char, normalise_phone, parse_id_number, validate_phone

VALID = "11010519491231002X"  # the GB 11643 example number


def test_a_valid_id_number_gives_birth_date_and_gender():
    facts = parse_id_number(VALID)
    assert facts.birth_date == date(1949, 12, 31)
    assert facts.gender == "F"  # 17th digit 2: even → female


def test_lowercase_x_and_spaces_are_accepted():
    assert parse_id_number(" 11010519491231002x ").number == VALID


@pytest.mark.parametrize("bad, why", [
    ("110105194912310021", "校验位"),      # wrong check character
    ("11010519491231002", "18位"),         # too short
    ("110105194913310020", "出生日期"),    # month 13
    ("1101051949123100AX", "只能包含数字"),  # letters inside
    ("991105194912310020", "省级代码"),    # no such province
])
def test_bad_id_numbers_are_refused_with_a_reason_in_chinese(bad, why):
    with pytest.raises(InvalidInput) as e:
        parse_id_number(bad)
    assert why in str(e.value.message)


def test_check_character_follows_the_standard():
    assert id_check_char(VALID[:17]) == "X"


def test_masks_keep_region_and_last_four():
    assert mask_id_number(VALID) == "1101**********002X"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_id_number("") == ""


def test_phones_are_normalised_and_checked():
    assert normalise_phone("138 1234 5678") == "13812345678"
    assert normalise_phone("010-6512 3456") == "010-65123456"
    assert validate_phone("+86 138-1234-5678") == "13812345678"
    with pytest.raises(InvalidInput):
        validate_phone("12345")


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


@pytest.mark.parametrize("typed", [full_width(VALID), full_width(VALID.lower()), "110105　1949123１002Ｘ"])
def test_an_id_number_typed_in_full_width_is_the_same_number(typed):
    assert parse_id_number(typed).number == VALID


@pytest.mark.parametrize("typed", ["１３８ １２３４ ５６７８", "＋８６ １３８－１２３４－５６７８", "（１３８）12345678",
                                   "138\u30001234\u30005678"])
def test_a_phone_typed_in_full_width_is_the_same_number(typed):
    assert validate_phone(typed) == "13812345678"


@pytest.mark.parametrize("digits", ["١١٠١٠٥١٩٤٩١٢٣١٠٠٢X", "११०१०५१९४९१२३१००२X"])
def test_digits_of_other_scripts_are_not_digits_of_an_id_number(digits):
    # \d matched these (Arabic-Indic, Devanagari), so a second person could be made of one number
    with pytest.raises(InvalidInput):
        parse_id_number(digits)


def test_digits_of_other_scripts_are_not_a_phone():
    with pytest.raises(InvalidInput):
        validate_phone("١٣٨١٢٣٤٥٦٧٨")
