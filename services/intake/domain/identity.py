"""Resident ID numbers (公民身份号码, GB 11643): check character and keyed hashing."""

import hashlib
import hmac

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARACTERS = "10X98765432"


def check_character(first_17: str) -> str:
    """ISO 7064 MOD 11-2 check character of the first 17 digits."""
    total = sum(int(digit) * weight for digit, weight in zip(first_17, _WEIGHTS, strict=True))
    return _CHECK_CHARACTERS[total % 11]


def validate_id_number(value: str) -> str:
    """Return the normalised 18-character number, or raise ValueError saying why."""
    number = value.strip().upper()
    if len(number) != 18:
        raise ValueError(f"must be 18 characters, got {len(number)} (身份证号应为18位)")
    if not number[:17].isdigit():
        position = next(i for i, ch in enumerate(number[:17], 1) if not ch.isdigit())
        raise ValueError(f"character {position} must be a digit (第{position}位应为数字)")
    expected = check_character(number[:17])
    if number[17] != expected:
        raise ValueError(
            f"check character is {number[17]!r}, expected {expected!r} (第18位校验码错误)"
        )
    return number


def id_number_hash(number: str, key: str) -> str:
    """Keyed hash: finds the same person again without storing the number in clear."""
    return hmac.new(key.encode(), number.encode(), hashlib.sha256).hexdigest()


def mask_id_number(number: str) -> str:
    return f"{number[:4]}{'*' * 10}{number[-4:]}"
