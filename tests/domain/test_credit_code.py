import pytest

from pipeline.domain.credit_code import (
    CreditCodeError,
    check_char,
    make_credit_code,
    normalize_credit_code,
    validate_credit_code,
)

# Published codes of real firms (found in public registers), checked independently of our own generator.
KNOWN_VALID = ["91350100M000100Y43", "91110000600037341L", "9144030071526726XG", "91440300708461136T",
               "91110108551385082Q"]


@pytest.mark.parametrize("code", KNOWN_VALID)
def test_known_published_codes_are_valid(code):
    assert validate_credit_code(code) == code


def test_check_character_by_hand():
    # 91350100M000100Y4: values 9 1 3 5 0 1 0 0 21(M) 0 0 0 1 0 0 30(Y) 4;
    # Σ value×weight = 9+3+27+135+0+26+0+0+420+0+0+0+8+0+0+900+112 = 1640; 1640 mod 31 = 28; 31−28 = 3.
    assert check_char("91350100M000100Y4") == "3"


def test_lower_case_and_blanks_are_accepted_and_normalised():
    assert validate_credit_code("  91350100m000100y43 ") == "91350100M000100Y43"
    assert normalize_credit_code(" 9144030071526726xg") == "9144030071526726XG"


@pytest.mark.parametrize("bad", ["I", "O", "S", "V", "Z"])
def test_letters_outside_the_charset_are_rejected_with_their_position(bad):
    code = "91350100M000100Y43"
    with pytest.raises(CreditCodeError, match=f"第 9 位字符 '{bad}' 不合法"):
        validate_credit_code(code[:8] + bad + code[9:])


def test_other_characters_are_rejected():
    with pytest.raises(CreditCodeError, match="第 3 位字符 '-' 不合法"):
        validate_credit_code("91-50100M000100Y43")


@pytest.mark.parametrize("code, length", [("", 0), ("91350100M000100Y4", 17), ("91350100M000100Y433", 19)])
def test_wrong_length_is_rejected(code, length):
    with pytest.raises(CreditCodeError, match=f"应为 18 位，实为 {length} 位"):
        validate_credit_code(code)


def test_wrong_check_character_names_the_expected_one():
    with pytest.raises(CreditCodeError, match="第 18 位应为 '3'，实为 '4'"):
        validate_credit_code("91350100M000100Y44")


def test_make_credit_code_appends_a_check_character_that_validates():
    code = make_credit_code("91330624ma2bx5yw4")
    assert code == "91330624MA2BX5YW40"
    assert validate_credit_code(code) == code
    with pytest.raises(CreditCodeError):
        validate_credit_code(code[:17] + "F")


def test_make_credit_code_rejects_a_bad_body():
    with pytest.raises(CreditCodeError, match="17 位"):
        make_credit_code("9133")
    with pytest.raises(CreditCodeError, match="'O'"):
        make_credit_code("91330624MA2BX5YWO")


def test_credit_code_error_is_a_value_error():
    assert issubclass(CreditCodeError, ValueError)
