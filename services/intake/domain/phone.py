"""Mobile (手机) and landline (固定电话) numbers of mainland China."""

import re
from typing import Annotated

from pydantic import AfterValidator

_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"0[1-9]\d{8,10}")  # area code (3-4 digits with its 0) + 7-8 digits


def normalise_phone(value: str) -> str:
    """Return the number as digits only, or raise ValueError saying what is wrong.

    Spaces, dashes, brackets and a +86 / 0086 prefix are accepted on input.
    """
    raw = value.strip()
    digits = re.sub(r"[\s\-()（）]", "", raw)
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix) :]
    for position, character in enumerate(digits, 1):
        if not character.isdigit():
            raise ValueError(
                f"character {position} ({character!r}) is not a digit "
                f"(电话号码第{position}位不是数字)"
            )
    if _MOBILE.fullmatch(digits) or _LANDLINE.fullmatch(digits):
        return digits
    if digits.startswith("1"):
        raise ValueError(
            f"{raw!r} is not a mobile number: 11 digits starting 13-19 "
            f"(手机号应为11位，以13至19开头), got {len(digits)} digits"
        )
    raise ValueError(
        f"{raw!r} is neither a mobile number (11 digits) nor a landline with its area code "
        "(0, then 9 to 11 digits) (电话号码格式错误：手机号11位，固话需带区号)"
    )


def mask_phone(number: str) -> str:
    """Keep the first 3 and last 4 digits: enough to recognise, not to dial."""
    return f"{number[:3]}{'*' * (len(number) - 7)}{number[-4:]}"


PhoneNumber = Annotated[str, AfterValidator(normalise_phone)]
