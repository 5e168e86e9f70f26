"""Check characters of social credit codes (GB 32100) and resident ID numbers (GB 11643)."""

from datetime import date
from zhangdian.approval.rules.identifiers import InvalidIdentifier
from zhangdian.approval.rules.identifiers import check_applicant_identifier
from zhangdian.approval.rules.identifiers import check_resident_id
from zhangdian.approval.rules.identifiers import check_social_credit_code
from zope.i18nmessageid import Message

import pytest
import time_machine


CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
TODAY = date(2026, 6, 1)


def credit_code(first_17):
    """Complete a credit code: the full code's weighted sum is a multiple of 31."""
    weights = [pow(3, position, 31) for position in range(17)]
    total = sum(CREDIT_ALPHABET.index(c) * w for c, w in zip(first_17, weights, strict=True))
    (check,) = [c for c in CREDIT_ALPHABET if (total + CREDIT_ALPHABET.index(c)) % 31 == 0]
    return first_17 + check


def resident_id(first_17):
    """Complete an ID number by ISO 7064 MOD 11-2: the weighted sum of all 18 is 1 mod 11."""
    values = "0123456789X"
    weights = [pow(2, 17 - position, 11) for position in range(17)]
    total = sum(int(d) * w for d, w in zip(first_17, weights, strict=True))
    (check,) = [c for c in values if (total + values.index(c)) % 11 == 1]
    return first_17 + check


def other_check_character(code, alphabet):
    """The code with its last character replaced by another valid one."""
    return code[:-1] + next(c for c in alphabet if c != code[-1])


class TestSocialCreditCode:
    """统一社会信用代码."""

    @pytest.mark.parametrize(
        "code",
        [
            "91350100M000100Y43",  # published on a business licence (Fujian)
            "91370303MA3C8XYR1T",  # the sample code of the decision document tests
        ],
    )
    def test_published_codes_pass(self, code):
        assert check_social_credit_code(code) == code

    @pytest.mark.parametrize(
        "first_17",
        ["91370303MA3C4K7L1", "12370303004567890", "Y1370303MA00000AB", "52370303MJD12345X"],
    )
    def test_computed_codes_pass(self, first_17):
        code = credit_code(first_17)
        assert check_social_credit_code(code) == code

    def test_check_character_zero(self):
        """A weighted sum that is a multiple of 31 has check character 0, not 31."""
        code = credit_code("00000000000000000")
        assert code.endswith("0")
        assert check_social_credit_code(code) == code

    def test_normalised(self):
        assert check_social_credit_code("  91350100m000100y43\n") == "91350100M000100Y43"

    def test_full_width_characters_from_a_chinese_ime(self):
        full_width = "９１３５０１００Ｍ０００１００Ｙ４３"
        assert check_social_credit_code(full_width) == "91350100M000100Y43"

    @pytest.mark.parametrize("value", ["", "91350100M000100Y4", "91350100M000100Y433"])
    def test_wrong_length(self, value):
        with pytest.raises(InvalidIdentifier, match="must have 18 characters"):
            check_social_credit_code(value)

    @pytest.mark.parametrize("letter", ["I", "O", "S", "V", "Z", "-", " "])
    def test_character_outside_the_alphabet(self, letter):
        value = "91350100M000100Y43".replace("M", letter)
        with pytest.raises(InvalidIdentifier, match=f"contains {letter}:") as raised:
            check_social_credit_code(value)
        assert raised.value.message.mapping["character"] == letter

    def test_wrong_check_character(self):
        value = other_check_character("91350100M000100Y43", CREDIT_ALPHABET)
        with pytest.raises(InvalidIdentifier, match="wrong check character"):
            check_social_credit_code(value)

    def test_swapped_characters_are_caught(self):
        with pytest.raises(InvalidIdentifier, match="wrong check character"):
            check_social_credit_code("93150100M000100Y43")

    def test_error_is_a_translatable_value_error(self):
        with pytest.raises(ValueError) as raised:
            check_social_credit_code("91350100M000100Y44")
        message = raised.value.args[0]
        assert isinstance(message, Message)
        assert message.domain == "zhangdian.approval"
        assert message.mapping == {"value": "91350100M000100Y44"}
        assert str(raised.value).startswith(
            "The unified social credit code 91350100M000100Y44 has a wrong check character."
        )


class TestResidentId:
    """居民身份证号码."""

    def test_sample_of_the_standard_passes(self):
        """GB 11643-1999's own example, with check character X."""
        assert check_resident_id("11010519491231002X", today=TODAY) == "11010519491231002X"

    @pytest.mark.parametrize(
        "first_17", ["37030319900101123", "37030320000229002", "37030320260601001"]
    )
    def test_computed_numbers_pass(self, first_17):
        number = resident_id(first_17)
        assert check_resident_id(number, today=TODAY) == number

    def test_lower_case_x_normalised(self):
        assert check_resident_id(" 11010519491231002x ", today=TODAY) == "11010519491231002X"

    @pytest.mark.parametrize(
        "value",
        [
            "",
            "11010519491231002",
            "11010519491231002XX",
            "1101051949123100X2",
            "11010519491231002Y",
        ],
    )
    def test_wrong_form(self, value):
        with pytest.raises(InvalidIdentifier, match="17 digits and a last digit or X"):
            check_resident_id(value, today=TODAY)

    @pytest.mark.parametrize(
        "first_17",
        [
            "37030319901301123",  # month 13
            "37030320250229002",  # 2025 is not a leap year
            "37030319900100123",  # day 0
            "37030320260602001",  # tomorrow
        ],
    )
    def test_impossible_birth_date(self, first_17):
        with pytest.raises(InvalidIdentifier, match="valid date of birth"):
            check_resident_id(resident_id(first_17), today=TODAY)

    def test_birth_date_checked_against_today_in_china(self):
        """At 20:00 UTC on 31 May it is already 1 June in China."""
        number = resident_id("37030320260601001")
        with time_machine.travel("2026-05-31 20:00:00 +0000", tick=False):
            assert check_resident_id(number) == number
        with (
            time_machine.travel("2026-05-31 12:00:00 +0000", tick=False),
            pytest.raises(InvalidIdentifier, match="valid date of birth"),
        ):
            check_resident_id(number)

    def test_wrong_check_character(self):
        value = other_check_character("11010519491231002X", "0123456789X")
        with pytest.raises(InvalidIdentifier, match="wrong check character") as raised:
            check_resident_id(value, today=TODAY)
        assert raised.value.message.mapping == {"value": value}


class TestApplicantIdentifier:
    """Dispatch on the applicant's kind."""

    def test_company(self):
        assert check_applicant_identifier("company", "91350100m000100y43") == "91350100M000100Y43"

    def test_person(self):
        assert check_applicant_identifier("person", "11010519491231002x") == "11010519491231002X"

    def test_company_code_is_not_a_person_number(self):
        with pytest.raises(InvalidIdentifier, match="ID number"):
            check_applicant_identifier("person", "91350100M000100Y43")

    def test_person_number_is_not_a_company_code(self):
        with pytest.raises(InvalidIdentifier, match="social credit code"):
            check_applicant_identifier("company", "11010519491231002X")

    def test_unknown_kind(self):
        with pytest.raises(InvalidIdentifier, match="Unknown kind of applicant: robot"):
            check_applicant_identifier("robot", "91350100M000100Y43")
