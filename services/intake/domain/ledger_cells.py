"""How a ledger cell's text or number becomes a field's value: Chinese words of the
ledgers (男, 独居老人, 肢体残疾, 二级), dates in the ways clerks write them, amounts in
yuan kept exact as fen, and codes that Excel turned into numbers."""

import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from wushe.intake.domain.labels import GROUP_WORDS, VALUE_WORDS

Cell = str | int | float | date | datetime | None
Parser = Callable[[Cell], Any]


class CellError(ValueError):
    """A cell that cannot become its field's value; the message says why."""


def text(cell: Cell) -> str:
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def digits(cell: Cell) -> str:
    """Codes and phone numbers, which Excel may have turned into numbers."""
    if isinstance(cell, float) and not cell.is_integer():
        raise CellError(f"{cell!r} is a decimal number, not a code (应为数字代码)")
    return text(cell)


def id_number(cell: Cell) -> str:
    if isinstance(cell, float) and cell >= 1e15:
        raise CellError(
            "Excel stored this ID number as a number and lost its last digits: format the "
            "column as text and enter it again "
            "(身份证号被存为数值，末几位已丢失，请将该列设为文本后重新录入)"
        )
    return text(cell).upper()


_DATE_TEXT = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


def day(cell: Cell) -> date:
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    value = text(cell)
    match = _DATE_TEXT.fullmatch(value)
    if match is None and re.fullmatch(r"\d{8}", value):
        match = re.fullmatch(r"(\d{4})(\d{2})(\d{2})", value)
    if match is None:
        raise CellError(f"{value!r} is not a date like 1950-03-12 (日期格式应为1950-03-12)")
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        raise CellError(f"{value!r} is not a real date (日期不存在)") from None


def choice(kind: type[StrEnum]) -> Parser:
    words = VALUE_WORDS[kind]

    def parse(cell: Cell) -> str:
        value = text(cell)
        if value not in words:
            known = "、".join(word for word in words if not word.isascii())
            raise CellError(f"{value!r} is not one of: {known} (取值不在可选范围内)")
        return words[value]

    return parse


_LIST_SEPARATORS = re.compile(r"[、,，;；/\s]+")


def groups(cell: Cell) -> list[str]:
    found = []
    for word in filter(None, _LIST_SEPARATORS.split(text(cell))):
        if word not in GROUP_WORDS:
            raise CellError(f"{word!r} is not a known group (未知的人员类别，见模板说明)")
        found.append(GROUP_WORDS[word])
    return found


_CHINESE_NUMBERS = {"零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5}


def level(cell: Cell) -> int:
    """Grades and levels written as 2, 2级, 二级 or 二."""
    value = text(cell).removesuffix("级").removesuffix("等")
    if value in _CHINESE_NUMBERS:
        return _CHINESE_NUMBERS[value]
    if value.isdigit():
        return int(value)
    raise CellError(f"{text(cell)!r} is not a level like 2 or 二级 (等级应为数字)")


def yuan_to_fen(cell: Cell) -> int:
    """Amounts in yuan with at most two decimals, kept exact as integer fen."""
    try:
        amount = Decimal(text(cell).replace(",", "").removesuffix("元")) * 100
    except InvalidOperation:
        raise CellError(f"{text(cell)!r} is not an amount in yuan (金额格式错误)") from None
    if amount != amount.to_integral_value():
        raise CellError(f"{text(cell)!r} has more than two decimals (金额最多两位小数)")
    return int(amount)
