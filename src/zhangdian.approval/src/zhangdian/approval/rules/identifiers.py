"""Check characters of applicants' identifiers: social credit codes and resident ID numbers."""

from datetime import date
from zhangdian.approval import _
from zhangdian.approval.clock import bureau_day
from zhangdian.approval.errors import ApprovalError

import unicodedata


# GB 32100-2015: 统一社会信用代码.
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

# GB 11643-1999: 公民身份号码, check character by ISO 7064 MOD 11-2.
RESIDENT_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
RESIDENT_ID_CHECK_CHARACTERS = "0123456789X"
DIGITS = "0123456789"

IDENTIFIER_LENGTH = 18


class InvalidIdentifier(ApprovalError, ValueError):
    """An identifier of the wrong form; `.message` is the translatable reason."""

    code = "InvalidIdentifier"


def normalise(value: str) -> str:
    """Strip and upper-case; full-width characters typed with a Chinese IME become ASCII."""
    return unicodedata.normalize("NFKC", value or "").strip().upper()


def social_credit_check_character(first_17: str) -> str:
    """The 18th character of a unified social credit code."""
    total = sum(
        CREDIT_CODE_ALPHABET.index(character) * weight
        for character, weight in zip(first_17, CREDIT_CODE_WEIGHTS, strict=True)
    )
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def resident_id_check_character(first_17: str) -> str:
    """The 18th character of a resident ID number."""
    total = sum(
        int(digit) * weight for digit, weight in zip(first_17, RESIDENT_ID_WEIGHTS, strict=True)
    )
    return RESIDENT_ID_CHECK_CHARACTERS[(12 - total % 11) % 11]


def check_social_credit_code(value: str) -> str:
    """The normalised unified social credit code (统一社会信用代码); InvalidIdentifier if wrong."""
    code = normalise(value)
    if len(code) != IDENTIFIER_LENGTH:
        raise InvalidIdentifier(
            _(
                "The unified social credit code ${value} must have 18 characters.",
                mapping={"value": code},
            )
        )
    for character in code:
        if character not in CREDIT_CODE_ALPHABET:
            raise InvalidIdentifier(
                _(
                    "The unified social credit code ${value} contains ${character}: only "
                    "digits and capital letters other than I, O, S, V and Z are used.",
                    mapping={"value": code, "character": character},
                )
            )
    if code[-1] != social_credit_check_character(code[:-1]):
        raise InvalidIdentifier(
            _(
                "The unified social credit code ${value} has a wrong check character. "
                "Please copy it again from the business licence.",
                mapping={"value": code},
            )
        )
    return code


def check_resident_id(value: str, today: date | None = None) -> str:
    """The normalised resident ID number (居民身份证号码); InvalidIdentifier if wrong."""
    number = normalise(value)
    body, check = number[:-1], number[-1:]
    if (
        len(number) != IDENTIFIER_LENGTH
        or any(digit not in DIGITS for digit in body)
        or check not in RESIDENT_ID_CHECK_CHARACTERS
    ):
        raise InvalidIdentifier(
            _(
                "The ID number ${value} must have 18 characters: 17 digits and a last digit or X.",
                mapping={"value": number},
            )
        )
    if today is None:
        # A birth date is "in the future" by the calendar in China, not the server's.
        today = bureau_day()
    birth = number[6:14]
    try:
        born = date(int(birth[:4]), int(birth[4:6]), int(birth[6:]))
    except ValueError:
        born = None
    if born is None or born > today:
        raise InvalidIdentifier(
            _(
                "The ID number ${value} does not contain a valid date of birth.",
                mapping={"value": number},
            )
        )
    if check != resident_id_check_character(body):
        raise InvalidIdentifier(
            _(
                "The ID number ${value} has a wrong check character. Please copy it again "
                "from the ID card.",
                mapping={"value": number},
            )
        )
    return number


CHECKS = {"company": check_social_credit_code, "person": check_resident_id}


def check_applicant_identifier(kind: str, value: str) -> str:
    """The normalised identifier of an applicant of `kind` ("company" or "person")."""
    check = CHECKS.get(kind)
    if check is None:
        raise InvalidIdentifier(
            _("Unknown kind of applicant: ${kind}.", mapping={"kind": str(kind)})
        )
    return check(value)
